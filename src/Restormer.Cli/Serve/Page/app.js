'use strict';
// The serve command's page: pick an image and a task, upload, poll the job (cancel it), compare before/after, download.
const $ = id => document.getElementById(id);
const mb = bytes => (bytes / 1048576).toFixed(bytes < 10485760 ? 1 : 0);
const size = bytes => bytes < 1048576 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${mb(bytes)} MB`;
let info = null;      // GET /api/tasks
let file = null;      // the chosen File
let jobId = null;     // the last job, deleted on the server when a new one starts
let current = null;   // the upload or job in progress: { id, abort, cancelled }

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = !message;
}

// The status line is also the progress bar's label.
function setStatus(text, progress) {
  $('status-text').textContent = text;
  const bar = $('progress');
  bar.hidden = progress === undefined;
  if (progress === null) bar.removeAttribute('value');   // uploading, or running with nothing done yet: indeterminate
  else if (progress !== undefined) bar.value = progress;
}

function timeLeft(seconds) {
  if (seconds < 60) return `about ${Math.max(1, Math.round(seconds))} s left`;
  return `about ${Math.round(seconds / 60)} min left`;
}

function selectedTask() {
  const checked = document.querySelector('input[name=task]:checked');
  return checked ? checked.value : null;
}

function updateButton(busy) {
  $('restore').disabled = busy || !file || !selectedTask();
  $('cancel').hidden = !busy;
  $('cancel').disabled = false;
}

function taskRow(task) {
  const label = document.createElement('label');
  label.className = 'task' + (task.available ? '' : ' missing');
  const radio = Object.assign(document.createElement('input'), { type: 'radio', name: 'task', value: task.name, disabled: !task.available });
  radio.addEventListener('change', () => updateButton(false));
  const name = Object.assign(document.createElement('span'), { className: 'name', textContent: task.name });
  const desc = Object.assign(document.createElement('span'), { className: 'desc', textContent: task.description });
  const state = document.createElement('span');
  state.className = 'file' + (task.available ? ' ready' : '');
  state.textContent = task.available ? task.model : `missing: ${task.weights_file}`;
  label.append(radio, name, desc, state);
  return label;
}

async function loadTasks() {
  try {
    const response = await fetch('/api/tasks');
    info = await response.json();
  } catch (e) {
    showError(`Cannot reach the server (${e.message}). Is "restormer serve" still running?`);
    return;
  }
  $('task-list').replaceChildren(...info.tasks.map(taskRow));
  const first = document.querySelector('input[name=task]:not(:disabled)');
  if (first) first.checked = true;
  const missing = info.tasks.filter(t => !t.available);
  if (missing.length) {
    $('missing').hidden = false;
    $('missing').textContent = `To enable a missing task, put its weights file into ${info.models_folder} ` +
      `(links in the README, "Published weights") and reload this page.`;
  }
  if (!first) showError(`No model is installed: put a weights file such as motion_deblurring.pth into ${info.models_folder} and reload.`);
  $('limit').textContent = `, up to ${mb(info.max_upload_bytes)} MB`;
  $('models-folder').textContent = `Models: ${info.models_folder}`;
  updateButton(false);
}

function chooseFile(chosen) {
  if (!chosen) return;
  showError('');
  if (info && chosen.size > info.max_upload_bytes) {
    showError(`${chosen.name} is ${size(chosen.size)}; this server accepts up to ${mb(info.max_upload_bytes)} MB (restormer serve --max-upload-mb).`);
    return;
  }
  file = chosen;
  $('file-name').textContent = `${chosen.name} (${size(chosen.size)})`;
  updateButton(false);
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

async function readJson(response) {
  try { return await response.json(); } catch { return { error: `The server answered HTTP ${response.status}.` }; }
}

function describe(job) {
  if (job.state === 'queued')
    return setStatus(job.ahead > 0 ? `Waiting: ${job.ahead} image(s) ahead…` : 'Starting…', 0);
  if (job.state === 'running') {
    // The estimate needs a little of the image done: the first bands tell the pace.
    const eta = job.progress >= 0.02 && job.seconds >= 2 ? `, ${timeLeft(job.seconds * (1 - job.progress) / job.progress)}` : '';
    return setStatus(`Restoring ${job.width}×${job.height}: ${Math.floor(job.progress * 100)}%${eta}`, job.progress > 0 ? job.progress : null);
  }
}

// Stops the upload or the job in progress; the server deletes the job's files.
function cancel() {
  const run = current;
  if (!run) return;
  run.cancelled = true;
  run.abort.abort();
  if (run.id) fetch(`/api/jobs/${run.id}`, { method: 'DELETE' }).catch(() => {});
  jobId = null;
  $('cancel').disabled = true;
  setStatus('Cancelled.');
}

async function restore() {
  showError('');
  const run = current = { id: null, abort: new AbortController(), cancelled: false };
  updateButton(true);
  $('compare').hidden = $('result-row').hidden = true;
  $('placeholder').hidden = false;
  if (jobId) fetch(`/api/jobs/${jobId}`, { method: 'DELETE' }).catch(() => {});
  const form = new FormData();
  form.append('image', file);
  form.append('task', selectedTask());
  setStatus('Uploading…', null);
  try {
    const response = await fetch('/api/jobs', { method: 'POST', body: form, signal: run.abort.signal });
    let job = await readJson(response);
    if (!response.ok) throw new Error(job.error);
    run.id = jobId = job.id;
    while (!run.cancelled && (job.state === 'queued' || job.state === 'running')) {
      describe(job);
      await sleep(250);
      if (run.cancelled) break;
      const poll = await fetch(`/api/jobs/${job.id}`, { signal: run.abort.signal });
      job = await readJson(poll);
      if (!poll.ok) throw new Error(job.error);
    }
    if (run.cancelled) return;
    if (job.state !== 'done') throw new Error(job.error || 'The job was cancelled.');
    showResult(job);
  } catch (e) {
    if (run.cancelled) return;   // the abort of the upload or poll, or the job already deleted
    setStatus('');
    showError(e.message === 'Failed to fetch' ? 'The server did not answer: is it still running? (A file over the size limit can also end the upload.)' : e.message);
  } finally {
    if (current === run) {
      current = null;
      updateButton(false);
    }
  }
}

function showResult(job) {
  setStatus(`Done in ${job.seconds} s.`, 1);
  $('before').src = job.input_url;
  $('after').src = job.result_url;
  $('download').href = `${job.result_url}?download=true`;
  $('download').download = job.result_file_name;
  $('result-info').textContent = `${job.file_name} · ${job.width}×${job.height} · ${job.task}`;
  $('placeholder').hidden = true;
  $('compare').hidden = $('result-row').hidden = false;
  $('result').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
}

// Keep the whole image in view: at most 75% of the window's height, whatever its shape.
function fitCompare() {
  const image = $('before');
  if (image.naturalWidth) $('compare').style.maxWidth = `calc(75vh * ${image.naturalWidth / image.naturalHeight})`;
}

function setUp() {
  const drop = $('drop');
  $('file').addEventListener('change', e => chooseFile(e.target.files[0]));
  drop.addEventListener('dragover', e => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', e => { e.preventDefault(); drop.classList.remove('over'); chooseFile(e.dataTransfer.files[0]); });
  $('restore').addEventListener('click', restore);
  $('cancel').addEventListener('click', cancel);
  $('before').addEventListener('load', fitCompare);
  $('slider').addEventListener('input', e => $('compare').style.setProperty('--pos', `${e.target.value}%`));
  loadTasks();
}

setUp();
