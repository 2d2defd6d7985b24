using System.Diagnostics;
using System.Globalization;
using Restormer.Checkpoints;
using Restormer.Interop;
using Restormer.Model;
using Restormer.Platform;
using Restormer.Training.Data;
using Restormer.Training.Options;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Restormer.Training;

/// <summary>How a <see cref="Trainer"/> runs, beyond the option file.</summary>
public sealed record TrainerSettings
{
    /// <summary>A <c>.state</c> file to continue from (wins over <c>path.resume_state</c>).</summary>
    public string? ResumeState { get; init; }
    /// <summary>Continue from the newest state of an existing experiment folder when no state is named, as the reference does.</summary>
    public bool AutoResume { get; init; } = true;
    /// <summary>The folder experiments go to (relative paths from the current folder).</summary>
    public string ExperimentsRoot { get; init; } = "experiments";
    /// <summary>Receives every informational log message (e.g. to print it).</summary>
    public Action<string>? Echo { get; init; }
    /// <summary>Receives every warning (unknown options, skipped weights, CPU fallback).</summary>
    public Action<string>? EchoWarning { get; init; }
    /// <summary>Called after every iteration (e.g. to draw a progress line).</summary>
    public Action<TrainingProgress>? OnIteration { get; init; }
    /// <summary>Sees (and may alter) every loaded batch before the network does: a test hook, e.g. to inject a NaN.</summary>
    internal Action<TrainingBatch>? BeforeStep { get; init; }
}

/// <summary>How a run ended.</summary>
public sealed record TrainingResult
{
    /// <summary>The last iteration completed.</summary>
    public required long LastIteration { get; init; }
    /// <summary>Whether it stopped early on request (a state was saved).</summary>
    public required bool Interrupted { get; init; }
    /// <summary>The experiment folder.</summary>
    public required string ExperimentFolder { get; init; }
    /// <summary>Iterations per second over this session's training iterations (validation and saving excluded).</summary>
    public required double IterationsPerSecond { get; init; }
    /// <summary>Time the network waited for batches in this session.</summary>
    public required TimeSpan DataWait { get; init; }
    /// <summary>The process's peak resident memory.</summary>
    public required long PeakResidentBytes { get; init; }
    /// <summary>Loss of the last iteration.</summary>
    public required double LastLoss { get; init; }
    /// <summary>Scores of the last validation, if any ran.</summary>
    public IReadOnlyDictionary<string, double>? LastValidation { get; init; }
    /// <summary>Why the run stopped before <c>total_iter</c> on its own (too many non-finite steps in a row), or null.</summary>
    public string? Failure { get; init; }
    /// <summary>Iterations whose update was skipped because the loss or gradient norm was not finite.</summary>
    public IReadOnlyList<long> SkippedIterations { get; init; } = [];
}

/// <summary>
/// Trains Restormer as the reference's <c>basicsr/train.py</c> with <c>ImageCleanModel</c>: AdamW, the cyclic cosine
/// learning rate, L1 loss, optional gradient clipping (global norm 0.01) and mixup, progressive patch and batch sizes,
/// validation every <c>val_freq</c> and checkpoints every <c>save_checkpoint_freq</c> iterations, in the reference's
/// folder layout. Every random choice is derived from (seed, iteration), so a run resumed from a state repeats the
/// uninterrupted run. Each iteration runs in its own dispose scope, so tensor memory does not build up. An iteration
/// is one optimiser step (<see cref="TrainingStep"/>), over <c>accumulate_grad_batches</c> loaded batches; the
/// schedule, logs, validation and checkpoints all count iterations. Steps with a NaN or infinite loss or gradient norm
/// are skipped with a warning; more than <c>max_nonfinite_steps</c> in a row stop the run, keeping the last good state.
/// </summary>
public sealed class Trainer : IDisposable
{
    readonly TrainingOptions options;
    readonly TrainerSettings settings;
    readonly ExperimentLayout layout;
    readonly TrainingLog log;
    readonly Device device;
    readonly RestormerNet net;
    readonly AdamW optimizer;
    readonly TrainingStep step;
    readonly TensorBoardLog? tensorBoard;
    readonly LearningRateSchedule schedule;
    readonly PatchBatcher batcher;
    readonly Validator? validator;
    readonly int seed;
    readonly long startIteration;

    /// <summary>Validation images written to TensorBoard at each validation (the first ones in set order).</summary>
    const int ImagesShownInTensorBoard = 4;

    /// <summary>Prepares a run: folders, log, data, network (fresh, pre-trained or resumed) and optimiser.</summary>
    public Trainer(TrainingOptions options, TrainerSettings? settings = null)
    {
        this.options = options;
        this.settings = settings ??= new TrainerSettings();
        layout = new ExperimentLayout(settings.ExperimentsRoot, options.Name);
        TrainingMemory.Check(options, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes); // before any folder, file or tensor
        var trainSet = options.TrainSet.Source.Open(); // scans the data, writing nothing
        PatchSizes.Check(options, trainSet);
        var resume = settings.ResumeState ?? options.Paths.ResumeState ?? (settings.AutoResume ? layout.LatestState() : null);
        if (resume is not null && !File.Exists(resume))
            throw new FileNotFoundException($"Training state '{resume}' does not exist; pass a training_states/<iter>.state file to --resume.", resume);
        var archived = resume is null ? layout.ArchiveExisting() : null;
        var archivedBoard = resume is null && options.Logger.UseTensorBoard ? layout.ArchiveExistingTensorBoard() : null;
        layout.Create();
        log = new TrainingLog(layout.NewLogFile(options.Name), layout.MetricsFile, settings.Echo, settings.EchoWarning);
        try
        {
            foreach (var warning in options.Warnings)
                log.Warn(warning);
            if (archived is not null)
                log.Info($"Moved the previous experiment folder to {archived}.");
            if (archivedBoard is not null)
                log.Info($"Moved the previous TensorBoard folder to {archivedBoard}.");
            LogOptions();
            device = ChooseDevice();
            var state = resume is null ? null : TrainingState.ReadInfo(resume);
            seed = ChooseSeed(state);
            schedule = new LearningRateSchedule(options.Train.Scheduler, options.Train.Optimizer.LearningRate, options.Train.WarmupIter);
            batcher = new PatchBatcher(trainSet, options.TrainSet, seed, options.Train.AccumulateGradBatches);
            validator = CreateValidator();
            LibTorchGuard.Ensure();
            if (LibTorchGuard.Status.Protection is { } protection) log.Detail(protection); // printed once by the caller's Notice handler
            torch.random.manual_seed(seed);
            net = new RestormerNet(options.Network);
            net.to(device);
            if (options.Train.CheckpointBlocks)
                net.BlockRunner = ActivationCheckpoint.Run;
            var settingsG = options.Train.Optimizer;
            optimizer = optim.AdamW(net.parameters(), settingsG.LearningRate, settingsG.Betas[0], settingsG.Betas[1], settingsG.Eps, settingsG.WeightDecay);
            step = new TrainingStep(net, optimizer, options.Train);
            if (resume is not null)
            {
                startIteration = TrainingState.Load(resume, net, optimizer).Iteration;
                log.Info($"Resuming training from {resume}, iteration {startIteration}.");
            }
            else if (options.Paths.PretrainNetworkG is { } pretrained)
                LoadPretrained(pretrained, options.Paths);
            LogStatistics();
            if (options.Logger.UseTensorBoard)
            {
                tensorBoard = new TensorBoardLog(layout.TensorBoard);
                log.Info($"TensorBoard event file: {tensorBoard.FilePath}");
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The experiment folder.</summary>
    public string ExperimentFolder => layout.Root;

    /// <summary>The seed every random choice derives from.</summary>
    public int Seed => seed;

    /// <summary>The iteration training continues after (0 for a fresh run).</summary>
    public long StartIteration => startIteration;

    /// <summary>Trains until <c>total_iter</c> or until <paramref name="cancel"/> is signalled, then saves a checkpoint.</summary>
    public TrainingResult Run(CancellationToken cancel = default)
    {
        long total = options.Train.TotalIter, iteration = startIteration, lastSaved = startIteration, lastApplied = startIteration;
        var trainingTime = TimeSpan.Zero;
        double loss = double.NaN, secondsPerIteration = 0;
        IReadOnlyDictionary<string, double>? validation = null;
        var window = new IntervalStatistics();
        var skipped = new List<long>();
        string? failure = null;
        log.Info($"Start training from epoch: {batcher.EpochOf(iteration + 1)}, iter: {iteration}");
        using var prefetcher = new BatchPrefetcher(batcher.Build, batcher.FirstDraw(iteration + 1), batcher.FirstDraw(total + 1) - 1, options.TrainSet.BatchesInFlight);
        ProgressiveStage? stage = null;
        while (iteration < total && !cancel.IsCancellationRequested)
        {
            var watch = Stopwatch.StartNew();
            var waitBefore = prefetcher.WaitTime;
            iteration++;
            var lr = schedule.At(iteration);
            for (int micro = 0; micro < options.Train.AccumulateGradBatches; micro++)
            {
                var batch = prefetcher.Next();
                if (batch.Stage != stage)
                {
                    stage = batch.Stage;
                    log.Info($"Updating Patch_Size to {stage.PatchSize} and Batch_Size to {stage.BatchSize}");
                }
                settings.BeforeStep?.Invoke(batch);
                GcPause.Run(() => Accumulate(batch));
            }
            var outcome = GcPause.Run(() => step.Apply(lr));
            loss = outcome.Loss;
            var elapsed = watch.Elapsed;
            trainingTime += elapsed;
            secondsPerIteration = secondsPerIteration == 0 ? elapsed.TotalSeconds : 0.9 * secondsPerIteration + 0.1 * elapsed.TotalSeconds;
            window.Add(outcome.Applied ? loss : null, elapsed, prefetcher.WaitTime - waitBefore);
            if (outcome.Applied)
                lastApplied = iteration;
            else
            {
                skipped.Add(iteration);
                var inARow = iteration - lastApplied;
                log.Warn(string.Create(CultureInfo.InvariantCulture,
                    $"Iteration {iteration}: non-finite {(double.IsFinite(outcome.Loss) ? $"gradient norm ({outcome.GradientNorm})" : $"loss ({outcome.Loss})")}; the update was skipped ({inARow} in a row)."));
                if (inARow > options.Train.MaxNonFiniteSteps)
                {
                    failure = StopAfterNonFiniteSteps(iteration, lastApplied, ref lastSaved);
                    break;
                }
            }

            if (iteration % options.Logger.PrintFrequency == 0)
                LogInterval(iteration, lr, window.TakeAndReset(), secondsPerIteration);
            if (iteration % options.Logger.CheckpointFrequency == 0)
                lastSaved = SaveCheckpoint(iteration);
            if (validator is not null && iteration % options.Validation!.Frequency == 0)
                validation = Validate(iteration);
            settings.OnIteration?.Invoke(new TrainingProgress
            {
                Iteration = iteration,
                TotalIterations = total,
                Epoch = batcher.EpochOf(iteration),
                Loss = loss,
                LearningRate = lr,
                IterationsPerSecond = 1 / secondsPerIteration,
                Eta = TimeSpan.FromSeconds(secondsPerIteration * (total - iteration)),
                Stage = stage!,
            });
        }

        var interrupted = failure is null && iteration < total;
        if (failure is null && iteration > lastSaved)
            SaveCheckpoint(iteration);
        if (failure is not null)
            log.Warn(failure);
        else if (interrupted)
            log.Info($"Interrupted after iteration {iteration}; resume with --resume {layout.StateFile(iteration)}");
        else
        {
            log.Info("End of training.");
            if (validator is not null && iteration % options.Validation!.Frequency != 0)
                validation = Validate(iteration);
        }
        var trained = iteration - startIteration;
        var result = new TrainingResult
        {
            LastIteration = iteration,
            Interrupted = interrupted,
            ExperimentFolder = layout.Root,
            IterationsPerSecond = trained > 0 ? trained / trainingTime.TotalSeconds : 0,
            DataWait = prefetcher.WaitTime,
            PeakResidentBytes = PeakResidentBytes(),
            LastLoss = loss,
            LastValidation = validation,
            Failure = failure,
            SkippedIterations = skipped,
        };
        log.Info(string.Create(CultureInfo.InvariantCulture,
            $"Trained {trained} iterations at {result.IterationsPerSecond:F3} it/s; waited {result.DataWait.TotalSeconds:F1} s for data; peak resident memory {result.PeakResidentBytes / (1024.0 * 1024):F0} MiB."));
        return result;
    }

    /// <summary>Forward and backward on one loaded batch (after mixup), adding its share to the step's gradients.</summary>
    void Accumulate(TrainingBatch batch)
    {
        using var scope = NewDisposeScope();
        var lq = tensor(batch.Lq, [batch.Count, batch.LqChannels, batch.Height, batch.Width]).to(device);
        var gt = tensor(batch.Gt, [batch.Count, batch.GtChannels, batch.Height, batch.Width]).to(device);
        if (options.Train.Mixup.Enabled)
            (gt, lq) = Mixup.Apply(options.Train.Mixup, gt, lq, RandomStreams.For(seed, RandomStream.Mixup, batch.Draw));
        step.Accumulate(lq, gt, options.Train.AccumulateGradBatches);
    }

    // The weights and moments are still those after the last applied step (skipped steps change nothing), so they are
    // saved as that iteration's state unless a later checkpoint already holds them.
    string StopAfterNonFiniteSteps(long iteration, long lastApplied, ref long lastSaved)
    {
        if (lastApplied > lastSaved)
            lastSaved = SaveCheckpoint(lastApplied);
        var resume = lastSaved > 0
            ? $"the last good weights are in {layout.StateFile(lastSaved)}: lower the learning rate (or set use_grad_clip: true) and resume with --resume {layout.StateFile(lastSaved)}"
            : "no step was applied: lower the learning rate (or set use_grad_clip: true) and start again";
        return $"Training stopped at iteration {iteration}: {iteration - lastApplied} steps in a row had a non-finite loss or gradient norm (more than max_nonfinite_steps: {options.Train.MaxNonFiniteSteps}); {resume}.";
    }

    long SaveCheckpoint(long iteration)
    {
        log.Info("Saving models and training states.");
        var weights = net.state_dict();
        CheckpointFile.SavePth(layout.ModelFile(iteration), weights);
        CheckpointFile.SavePth(layout.LatestModelFile, weights);
        TrainingState.Save(layout.StateFile(iteration), iteration, seed, net, optimizer);
        return iteration;
    }

    IReadOnlyDictionary<string, double> Validate(long iteration)
    {
        var folder = options.Validation!.SaveImages ? layout.Visualization : null;
        var shown = 0;
        var scores = validator!.Run(net, folder, iteration, tensorBoard is null ? null : (name, image) =>
        {
            if (shown++ < ImagesShownInTensorBoard)
                tensorBoard.Image($"val/{name}", image, iteration);
        });
        log.Info($"Validation {options.ValSet!.Name}, " + string.Join(", ", scores.Select(s => string.Create(CultureInfo.InvariantCulture, $"# {s.Key}: {s.Value:F4}"))));
        var record = new Dictionary<string, object> { ["iter"] = iteration };
        foreach (var (name, value) in scores)
            record[$"val_{name}"] = Math.Round(value, 6);
        log.Record(record);
        foreach (var (name, value) in scores)
            tensorBoard?.Scalar($"metrics/{name}", value, iteration);
        return scores;
    }

    void LogInterval(long iteration, double lr, IntervalStatistics.Summary summary, double secondsPerIteration)
    {
        if (summary.MeanLoss is { } meanLoss)
            tensorBoard?.Scalar("losses/l_pix", meanLoss, iteration);
        tensorBoard?.Scalar("lr", lr, iteration);
        var epoch = batcher.EpochOf(iteration);
        var eta = TimeSpan.FromSeconds(secondsPerIteration * (options.Train.TotalIter - iteration));
        log.Info(string.Create(CultureInfo.InvariantCulture,
            $"[epoch:{epoch,4}, iter:{iteration,9:N0}, lr:({lr:E3},)] [eta: {eta:d\\.hh\\:mm\\:ss}, time (data): {summary.SecondsPerIteration:F3} ({summary.DataSecondsPerIteration:F3}), {1 / summary.SecondsPerIteration:F2} it/s] l_pix: {(summary.MeanLoss is { } l ? l.ToString("E4", CultureInfo.InvariantCulture) : "none (all steps skipped)")}"));
        var record = new Dictionary<string, object>
        {
            ["iter"] = iteration,
            ["epoch"] = epoch,
            ["lr"] = lr,
            ["it_per_s"] = Math.Round(1 / summary.SecondsPerIteration, 4),
            ["data_wait_s_per_it"] = Math.Round(summary.DataSecondsPerIteration, 5),
        };
        if (summary.MeanLoss is { } mean)
            record["loss"] = mean;
        log.Record(record);
    }

    void LoadPretrained(string path, PathOptions paths)
    {
        var strict = paths.StrictLoadG;
        log.Info($"Loading {nameof(RestormerNet)} weights from {path} (strict_load_g: {strict}).");
        var state = CheckpointFile.Load(path);
        try
        {
            if (!strict)
                state = DropMismatched(state);
            net.LoadStateDict(state, strict);
            if (paths.IdentityNewBlocks)
                foreach (var block in IdentityBlocks.Initialise(net, state.Keys.ToHashSet()))
                    log.Info($"Block '{block}' is new: it starts as an identity (output projections zero).");
        }
        catch (StateDictMismatchException e)
        {
            throw new CheckpointException(path, $"does not fit network_g ({e.Message.TrimEnd('.')})",
                "Use weights of the same architecture, or set 'strict_load_g: false' to load only the matching ones");
        }
        finally
        {
            foreach (var tensor in state.Values) tensor.Dispose();
        }
    }

    // As the reference's non-strict load: weights missing from either side or of another shape are skipped with a warning.
    OrderedDictionary<string, Tensor> DropMismatched(OrderedDictionary<string, Tensor> state)
    {
        var own = net.state_dict();
        foreach (var name in own.Keys.Where(k => !state.ContainsKey(k)))
            log.Warn($"Pre-trained weights lack '{name}'; it keeps its initial value.");
        var kept = new OrderedDictionary<string, Tensor>();
        foreach (var (name, value) in state)
        {
            if (own.TryGetValue(name, out var target) && target.shape.SequenceEqual(value.shape))
                kept.Add(name, value);
            else
            {
                log.Warn(own.ContainsKey(name)
                    ? $"Size different, ignore [{name}]: network [{string.Join(",", own[name].shape)}], checkpoint [{string.Join(",", value.shape)}]"
                    : $"Pre-trained weight '{name}' is not part of the network; ignored.");
                value.Dispose();
            }
        }
        return kept;
    }

    Device ChooseDevice()
    {
        if (options.NumGpu == 0)
            return CPU;
        if (cuda.is_available())
            return CUDA;
        log.Warn($"num_gpu: {options.NumGpu} asks for GPUs but no CUDA device is available to this build; training on the CPU (set num_gpu: 0 to silence this).");
        return CPU;
    }

    int ChooseSeed(TrainingState.Info? state)
    {
        if (state is not null)
        {
            if (options.ManualSeed is { } asked && asked != state.Seed)
                log.Warn($"manual_seed is {asked} but the state was trained with seed {state.Seed}; keeping {state.Seed} so the data order continues.");
            return state.Seed;
        }
        var seed = options.ManualSeed ?? Random.Shared.Next(1, 10001);
        log.Info($"Random seed: {seed}");
        return seed;
    }

    Validator? CreateValidator()
    {
        if (options.Validation is null)
            return null;
        if (options.ValSet is null)
        {
            log.Warn("The 'val' section is set but 'datasets.val' is missing; no validation will run.");
            return null;
        }
        var set = options.ValSet.Source.Open();
        log.Info($"Number of val images/folders in {options.ValSet.Name}: {set.Count}");
        return new Validator(set, options.Validation, seed, device);
    }

    void LogOptions()
    {
        if (File.Exists(options.SourceFile))
            log.Detail($"Options ({options.SourceFile}):\n{File.ReadAllText(options.SourceFile)}");
    }

    void LogStatistics()
    {
        var order = batcher.Order;
        var k = options.Train.AccumulateGradBatches;
        var parameters = net.parameters().Sum(p => p.numel());
        log.Info(string.Create(CultureInfo.InvariantCulture,
            $"Network: {net.Config}, with parameters: {parameters:N0}; device {device.type}, {get_num_threads()} threads"));
        log.Info(string.Create(CultureInfo.InvariantCulture,
            $"Training statistics:\n\tNumber of train images: {batcher.PairCount}\n\tDataset enlarge ratio: {options.TrainSet.EnlargeRatio}\n\tBatch size: {options.TrainSet.BatchSize} x {k} accumulated = {options.TrainSet.BatchSize * k} per step\n\tRequire iter number per epoch: {Math.Max(1, order.IterationsPerEpoch / k)}\n\tTotal iters: {options.Train.TotalIter}; seed {seed}"));
    }

    static long PeakResidentBytes()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.PeakWorkingSet64;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        tensorBoard?.Dispose();
        optimizer?.Dispose();
        net?.Dispose();
        log?.Dispose();
    }

    /// <summary>Loss, time and data wait accumulated over one logging interval.</summary>
    sealed class IntervalStatistics
    {
        double lossSum;
        int count, lossCount;
        TimeSpan time, wait;

        public sealed record Summary(double? MeanLoss, double SecondsPerIteration, double DataSecondsPerIteration);

        // A skipped step (null loss) counts for time, not for the mean loss.
        public void Add(double? loss, TimeSpan elapsed, TimeSpan dataWait)
        {
            if (loss is { } value)
            {
                lossSum += value;
                lossCount++;
            }
            count++;
            time += elapsed;
            wait += dataWait;
        }

        public Summary TakeAndReset()
        {
            var summary = new Summary(lossCount > 0 ? lossSum / lossCount : null, time.TotalSeconds / count, wait.TotalSeconds / count);
            (lossSum, count, lossCount, time, wait) = (0, 0, 0, TimeSpan.Zero, TimeSpan.Zero);
            return summary;
        }
    }
}
