#!/usr/bin/env bash
# GPU check in one shot, for a session with a CUDA device (e.g. the `device` tool's H200).
#
#   bash benchmarks/gpu_check.sh [OUT_DIR]        # from the repository root
#
# Needs: a CUDA build of torch, triton, numba, pytest-benchmark, scikit-learn on that machine
# (nothing is downloaded), and the IMDB archive at $FASTBOW_TEST_DATA (default
# ../shared/data/aclImdb_v1.tar.gz, as tests/conftest.py); never copy it into the repository.
# Writes into OUT_DIR (default $OUT, else ./gpu-check): env.txt, tests.txt, profile-*.json/.txt,
# bench.txt and fastbow-summary.{md,json} (groups b, c, d on cuda, with the GPU targets checked).
# Budget: about 5 minutes on an H200 (group a, CPU-only preparation, is left out).
# Then copy the figures into benchmarks/RESULTS.md ("GPU" section).
set -uo pipefail
OUT_DIR="${1:-${OUT:-gpu-check}}"
mkdir -p "$OUT_DIR"
export FASTBOW_BENCH_DEVICE=cuda
export FASTBOW_CACHE_DIR="${FASTBOW_CACHE_DIR:-$(mktemp -d)}"
DATA="${FASTBOW_TEST_DATA:-$(cd .. && pwd)/shared/data/aclImdb_v1.tar.gz}"
export FASTBOW_TEST_DATA="$DATA"

step() { echo "== $*" | tee -a "$OUT_DIR/env.txt"; }

step "environment"
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1
  python -c "import torch, sys; print('python', sys.version.split()[0], 'torch', torch.__version__,
'cuda', torch.version.cuda, 'available', torch.cuda.is_available())"
  nproc; lscpu | grep 'Model name'; ls -l "$DATA"; } >>"$OUT_DIR/env.txt" 2>&1
python -c "import torch; assert torch.cuda.is_available(), 'no CUDA device'" || { echo "no CUDA: stop"; exit 2; }
[ -f "$DATA" ] || { echo "archive not found at $DATA: set FASTBOW_TEST_DATA"; exit 2; }
python -c "import fastbow.kernels" 2>/dev/null || pip install --no-deps --no-build-isolation -q -e . >>"$OUT_DIR/env.txt" 2>&1

step "CUDA tests (sparse path, kernels, pipelines)"
timeout 300 python -m pytest -q -p no:cacheprovider tests/test_sparse.py tests/test_kernels.py \
    tests/test_bag_kernels.py tests/test_pipelines.py tests/test_profile.py >"$OUT_DIR/tests.txt" 2>&1
tail -3 "$OUT_DIR/tests.txt"

step "profiles on cuda (200 batches after 10 warm-up, SGD as the notebook; sparse also with Adam)"
for case in "scatter sgd 0.01" "sparse sgd 0.01" "sparse adam 0.0003" "notebook-dense sgd 0.01"; do
  set -- $case
  timeout 300 python -m fastbow.profile --pipeline "$1" --device cuda --batches 200 --warmup 10 \
      --optimizer "$2" --lr "$3" --data "$DATA" --json >"$OUT_DIR/profile-$1-$2.json" 2>"$OUT_DIR/profile-$1-$2.err"
  python -c "import json,sys; r=json.load(open(sys.argv[1])); print(sys.argv[1], r['ms_per_batch'], r['verdict'])" \
      "$OUT_DIR/profile-$1-$2.json" | tee -a "$OUT_DIR/env.txt"
done
timeout 120 python -m fastbow.profile --pipeline notebook-naive --device cuda --batches 5 --data "$DATA" \
    >"$OUT_DIR/profile-notebook-naive.txt" 2>&1

step "benchmarks b, c, d on cuda"
timeout 900 python -m pytest benchmarks/test_b_materialize.py benchmarks/test_c_epoch.py \
    benchmarks/test_d_splits.py --benchmark-only -q -p no:cacheprovider >"$OUT_DIR/bench.txt" 2>&1
cp .benchmarks/fastbow-summary.md .benchmarks/fastbow-summary.json "$OUT_DIR"/ 2>/dev/null
grep -E "target|MISSED|met" "$OUT_DIR/bench.txt" | tee -a "$OUT_DIR/env.txt"
echo "done: $OUT_DIR"
