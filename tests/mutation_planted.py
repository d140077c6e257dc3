"""Hand-made mutants: the bugs issue 14 planted, and one-line bugs inside compiled kernels, which mutmut skips.

Usage (from the repository root; not CI, a few minutes)::

    python tests/mutation_planted.py            # every mutant below
    python tests/mutation_planted.py seed eval  # the mutants whose name contains one of these words

Each mutant is one textual replacement in one file, applied to a fresh copy of the tracked tree
(``$TMPDIR/fastbow-planted/<name>``); the named tests then run there (``pytest -x``). A mutant is
*killed* when a test fails; the first failing test is printed. mutmut (``tests/mutation_run.py``)
cannot mutate ``@njit``/``@triton.jit`` bodies, so those kernels' classic one-line bugs are listed here.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# (name, file, original text, mutated text, tests that must kill it)
MUTANTS = [
    ("sampler-ignores-seed", "fastbow/training/sampler.py",
     "manual_seed(self.seed * 1_000_003 + self.epoch)", "manual_seed(self.epoch)",
     ["tests/test_sampler.py"]),
    ("sampler-seed-plus-epoch", "fastbow/training/sampler.py",
     "manual_seed(self.seed * 1_000_003 + self.epoch)", "manual_seed(self.seed + self.epoch)",
     ["tests/test_sampler.py"]),
    ("scatter-billed-to-transfer", "fastbow/training/epoch.py",
     'timer.mark("data")                       # scatter kernel', 'timer.mark("transfer")                   # scatter kernel',
     ["tests/test_epoch.py"]),
    ("loss-billed-to-backward", "fastbow/training/epoch.py",
     'timer.mark("forward")', 'timer.mark("backward")',
     ["tests/test_epoch.py"]),
    ("timer-bills-the-previous-phase", "fastbow/training/timing.py",
     "for (_, prev), (name, cur) in zip(", "for (name, prev), (_, cur) in zip(",
     ["tests/test_timing.py"]),
    ("eval-drops-partial-batch", "fastbow/training/run.py",
     "min(cfg.eval_batch_size, csr.n_docs), shuffle=False)", "min(cfg.eval_batch_size, csr.n_docs), shuffle=False, drop_last=True)",
     ["tests/test_train.py::test_evaluation_batch_size_does_not_change_the_reported_test_metrics"]),
    ("reports-train-accuracy-as-test", "fastbow/training/run.py",
     '"test_accuracy": test_m["accuracy"]', '"test_accuracy": train_m["accuracy"]',
     ["tests/test_train.py::test_evaluation_batch_size_does_not_change_the_reported_test_metrics"]),
    ("initial-loss-never-warns", "fastbow/training/epoch.py",
     "if abs(loss - expected) > tolerance * expected:", "if abs(loss - expected) > 10 * tolerance * expected:",
     ["tests/test_epoch.py"]),
    ("initial-loss-reads-every-batch", "fastbow/training/epoch.py",
     "if i == max_batches:", "if i > max_batches:",
     ["tests/test_epoch.py"]),
    ("initial-loss-warning-points-elsewhere", "fastbow/training/epoch.py",
     "the labels\", UserWarning, stacklevel=2)", "the labels\", UserWarning, stacklevel=3)",
     ["tests/test_epoch.py"]),
    ("vocab-clamp-warning-points-elsewhere", "fastbow/data/vocab.py",
     'f"using {len(counter)}", UserWarning, stacklevel=2)', 'f"using {len(counter)}", UserWarning, stacklevel=3)',
     ["tests/test_vocab.py"]),
    ("csr-rows-unsorted", "fastbow/data/csr.py",
     "rows = [sorted(set(map(get, set(toks), repeat(OOV_ID))))", "rows = [list(set(map(get, set(toks), repeat(OOV_ID))))",
     ["tests/test_csr.py"]),
    ("numba-scatter-stale-buffer", "kernels/numba_cpu.py",
     "out[b, :] = 0.0", "pass",
     ["tests/test_kernels.py"]),
    ("numba-bag-grad-drops-last-id", "kernels/bag_numba.py",
     "end = offsets[b + 1] if b + 1 < B else nnz", "end = offsets[b + 1] if b + 1 < B else nnz - 1",
     ["tests/test_bag_kernels.py"]),
    ("numba-bag-grad-scratch-not-reset", "kernels/bag_numba.py",
     "        slot[ids[p]] = -1", "        pass",
     ["tests/test_bag_kernels.py"]),
    ("numba-gather-offset-after-copy", "kernels/bag_numba.py",
     "        offsets[b] = pos\n", "        offsets[b] = pos + 1 if b else pos\n",
     ["tests/test_bag_kernels.py"]),
    ("triton-mask-one-past-end", "kernels/triton_gpu.py",
     "mask = pos < end", "mask = pos <= end",
     ["tests/test_kernels.py"]),
]


def copy_tree(dest: Path) -> None:
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, capture_output=True,
                           text=True, check=True).stdout.split()
    for f in files:
        if (REPO / f).is_file():
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / f, dest / f)


def run(name: str, path: str, old: str, new: str, tests: list[str]) -> tuple[str, str]:
    work = Path(tempfile.gettempdir()) / "fastbow-planted" / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    copy_tree(work)
    src = (work / path).read_text()
    if src.count(old) != 1:
        return "STALE", f"{path} holds the original text {src.count(old)} times, not once: update MUTANTS"
    (work / path).write_text(src.replace(old, new))
    env = {**os.environ, "PYTHONPATH": str(work), "NUMBA_NUM_THREADS": "1"}
    p = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests], cwd=work,
                       env=env, capture_output=True, text=True)
    failed = re.findall(r"^FAILED (\S+)", p.stdout, re.M)
    if p.returncode == 0:
        return "SURVIVED", ""
    return "killed", failed[0] if failed else f"pytest exit {p.returncode}"


def main(argv: list[str]) -> int:
    chosen = [m for m in MUTANTS if not argv or any(a in m[0] for a in argv)]
    survived = 0
    for name, path, old, new, tests in chosen:
        status, by = run(name, path, old, new, tests)
        survived += status != "killed"
        print(f"{status:8s} {name:34s} {path}: {old.strip()!r} -> {new.strip()!r}\n         {by}", flush=True)
    return 1 if survived else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
