#!/usr/bin/env bash
# Batch mode on a Slurm cluster: one array task per shard, each restoring its part of a folder on shared storage.
#   sbatch --array=0-15 deploy/slurm-array.sh /shared/frames /shared/restored
# Task i of N runs `restore --shard i/N --skip-existing`: requeued or resubmitted tasks resume, finished images are kept.
# The array must be 0..N-1. Run ./setup.sh once in the repository on shared storage first (or use the container
# image with apptainer: replace "$repo/restormer" by "apptainer exec docker://restormer:latest dotnet /app/Restormer.Cli.dll").
#SBATCH --job-name=restormer
#SBATCH --cpus-per-task=8
#SBATCH --mem=6G
#SBATCH --time=24:00:00
#SBATCH --requeue
#SBATCH --output=restormer-%A_%a.log
set -euo pipefail
input=${1:?usage: sbatch --array=0-N-1 slurm-array.sh INPUT_FOLDER OUTPUT_FOLDER}
output=${2:?usage: sbatch --array=0-N-1 slurm-array.sh INPUT_FOLDER OUTPUT_FOLDER}
repo=${RESTORMER_HOME:-$(cd "$(dirname "$0")/.." && pwd)}
exec "$repo/restormer" restore --task motion_deblurring --input "$input" --output "$output" \
  --shard "${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT}" --skip-existing --threads "${SLURM_CPUS_PER_TASK}"
