"""Mutation testing of fastbow's core modules with mutmut 3 (not CI: minutes per module).

Usage (from the repository root, after ``pip install -e .[mutation]``)::

    python tests/mutation_run.py                 # every module in MODULES, one after the other
    python tests/mutation_run.py sampler csr     # just these
    python tests/mutation_run.py --list          # the modules and their test files
    python tests/mutation_run.py "epoch:*x_train_epoch__mutmut_4*"   # only the mutants matching a glob

Each module runs in its own copy of the tracked tree (``$TMPDIR/fastbow-mutation/<name>``), with a
``setup.cfg`` that mutates only that module and lets each mutant run only the tests of the module's
own test files (mutmut then picks, per mutant, the tests that call the mutated function). The
checkout is never modified. For each module it prints killed / survived / other counts and writes
the diff of every survivor to ``<copy>/survivors.txt``; ``tests/MUTATION.md`` records the last run.

mutmut 3 does not mutate decorated functions (``@njit`` kernels, ``@triton.jit``, ``@lru_cache``):
their bodies run compiled, where its trampolines cannot reach. Those are covered by the hand-made
mutants of ``tests/mutation_planted.py``.
"""
from __future__ import annotations

import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MUTMUT = Path(sys.executable).with_name("mutmut")

# name: (file to mutate, test files that pin it). Add new core modules here (e.g. the fused kernels).
MODULES = {
    "sampler": ("fastbow/training/sampler.py", ["tests/test_sampler.py"]),
    "metrics": ("fastbow/training/metrics.py", ["tests/test_metrics.py"]),
    "timing": ("fastbow/training/timing.py", ["tests/test_timing.py"]),
    "epoch": ("fastbow/training/epoch.py", ["tests/test_epoch.py"]),
    "vocab": ("fastbow/data/vocab.py", ["tests/test_vocab.py"]),
    "csr": ("fastbow/data/csr.py", ["tests/test_csr.py"]),
    "kernels": ("kernels/__init__.py", ["tests/test_kernels.py"]),
    "validate": ("kernels/validate.py", ["tests/test_kernels.py"]),
    "numba_cpu": ("kernels/numba_cpu.py", ["tests/test_kernels.py"]),
    "torch_ref": ("kernels/torch_ref.py", ["tests/test_kernels.py"]),
    "triton_gpu": ("kernels/triton_gpu.py", ["tests/test_kernels.py"]),
    "bag_numba": ("kernels/bag_numba.py", ["tests/test_bag_kernels.py"]),
}
# tests that start a subprocess see the original code, not the mutant: slow and useless here
DESELECT = ["tests/test_kernels.py::test_imports_and_runs_without_triton",
            "tests/test_kernels.py::test_numba_disable_jit_runs_plain_python"]


def setup_cfg(target: str, tests: list[str]) -> str:
    lines = ["[mutmut]", "source_paths =", "    fastbow", "    kernels", "only_mutate =", f"    {target}",
             "pytest_add_cli_args_test_selection ="] + [f"    {t}" for t in tests]
    lines += ["pytest_add_cli_args =", "    -p", "    no:cacheprovider"] + [f"    --deselect={d}" for d in DESELECT]
    lines += ["process_isolation = forkserver", ""]  # torch and numba are not fork-safe after use
    return "\n".join(lines)


def copy_tree(dest: Path) -> None:
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, capture_output=True,
                           text=True, check=True).stdout.split()
    for f in files:
        src = REPO / f
        if src.is_file():
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / f)


def run_module(name: str, children: int, globs: list[str] = ()) -> Counter:
    target, tests = MODULES[name]
    work = Path(tempfile.gettempdir()) / "fastbow-mutation" / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    copy_tree(work)
    (work / "setup.cfg").write_text(setup_cfg(target, tests))
    env = {**os.environ, "NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    subprocess.run([str(MUTMUT), "run", "--max-children", str(children), *globs], cwd=work, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out = subprocess.run([str(MUTMUT), "results", "--all", "true"], cwd=work, env=env, capture_output=True,
                         text=True).stdout
    status = dict(re.findall(r"^\s*(\S+): (.+)$", out, re.M))
    if globs:
        status = {m: st for m, st in status.items() if any(fnmatch.fnmatch(m, g) for g in globs)}
    counts = Counter(status.values())
    survivors = [m for m, s in status.items() if s == "survived"]
    with open(work / "survivors.txt", "w") as f:
        for m in survivors:
            diff = subprocess.run([str(MUTMUT), "show", m], cwd=work, env=env, capture_output=True, text=True).stdout
            f.write(f"=== {m}\n" + "\n".join(l for l in diff.splitlines() if l.startswith(("-", "+")) and
                                               not l.startswith(("---", "+++"))) + "\n")
    print(f"{name:10s} {target:32s} " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) +
          f"   survivors: {work / 'survivors.txt'}", flush=True)
    return counts


def main(argv: list[str]) -> int:
    if "--list" in argv:
        for name, (target, tests) in MODULES.items():
            print(f"{name:10s} {target:32s} {' '.join(tests)}")
        return 0
    if not MUTMUT.exists():
        print("mutmut is not installed in this environment; pip install -e .[mutation]", file=sys.stderr)
        return 2
    names = [a for a in argv if not a.startswith("-")] or list(MODULES)
    globs: dict = {}
    for a in names:
        if ":" in a:
            module, pattern = a.split(":", 1)
            globs.setdefault(module, []).append(pattern)
    names = list(dict.fromkeys(a.split(":", 1)[0] for a in names))
    unknown = [n for n in names if n not in MODULES]
    if unknown:
        print(f"unknown module(s) {', '.join(unknown)}; choose from: {', '.join(MODULES)}", file=sys.stderr)
        return 2
    total = Counter()
    for name in names:
        total += run_module(name, children=2, globs=globs.get(name, []))
    print("total     ", ", ".join(f"{k} {v}" for k, v in sorted(total.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
