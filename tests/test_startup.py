"""Start-up and exit of the commands (issue 9, item 5): ``--help`` and argument errors import neither torch
nor numba, and a finished command ends through :func:`fastbow.cli.exit_process` with its files and output
complete. Not timed (the machine is shared); what is checked is what a process imported and wrote."""
import json
import subprocess
import sys

import pytest
from corpus import make_corpus

COMMANDS = ["train", "predict", "stats", "sweep", "profile"]
HEAVY = ("torch", "numba", "triton", "scipy", "sklearn")

# imports the command's module and calls its main() as ``python -m`` would, then prints which heavy
# modules got imported
PROBE = """
import importlib, sys
try:
    status = importlib.import_module({module!r}).main({args!r})
except SystemExit as e:
    status = e.code
print("HEAVY=" + ",".join(m for m in {heavy!r} if m in sys.modules), "STATUS=" + str(status), file=sys.stderr)
"""

def _probe(module: str, *args: str) -> tuple[set, str, str]:
    code = PROBE.format(module=module, args=list(args), heavy=HEAVY)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    last = [line for line in r.stderr.splitlines() if line.startswith("HEAVY=")]
    assert last, r.stderr
    heavy, status = last[-1].split(" STATUS=")
    return {m for m in heavy[len("HEAVY="):].split(",") if m}, status, r.stdout + r.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_help_imports_neither_torch_nor_numba(command):
    heavy, status, out = _probe(f"fastbow.{command}", "--help")
    assert status == "0" and "usage: python -m fastbow." in out
    assert heavy == set(), f"python -m fastbow.{command} --help imported {sorted(heavy)}"


@pytest.mark.parametrize("command, args", [
    ("train", ["--epochs", "x"]), ("train", ["--input", "bogus"]), ("predict", []),
    ("sweep", ["lr", "--batch-size", "many"]), ("profile", ["--pipeline", "bogus"]), ("stats", ["--bogus"])])
def test_argument_errors_import_neither_torch_nor_numba(command, args):
    heavy, status, out = _probe(f"fastbow.{command}", *args)
    assert status == "2" and "error:" in out
    assert heavy == set(), f"python -m fastbow.{command} {' '.join(args)} imported {sorted(heavy)}"


def test_command_list_imports_nothing_heavy():
    heavy, status, out = _probe("fastbow.__main__")
    assert status == "0" and "commands:" in out and heavy == set()


def test_library_names_stay_reachable_from_the_commands():
    import fastbow.predict
    import fastbow.train
    from fastbow.inference import load_predictor
    from fastbow.training.run import TrainConfig, run

    assert fastbow.train.run is run and fastbow.train.TrainConfig is TrainConfig
    assert fastbow.predict.load_predictor is load_predictor
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        fastbow.train.nope  # noqa: B018


def test_choices_are_defined_once():
    from fastbow.kernels import BACKENDS

    import fastbow.options as o
    from fastbow.baselines.pipelines import PIPELINES
    from fastbow.data.subsets import SUBSET_MODES
    from fastbow.models.embedding_bag import INPUTS
    from fastbow.models.mlp import DEFAULT_HIDDEN
    from fastbow.training.epoch import OPTIMIZERS

    assert (BACKENDS, INPUTS, OPTIMIZERS, DEFAULT_HIDDEN, SUBSET_MODES, PIPELINES) == (
        o.BACKENDS, o.INPUTS, o.OPTIMIZERS, o.DEFAULT_HIDDEN, o.SUBSET_MODES, o.PIPELINES)


def test_a_finished_run_exits_with_its_files_and_output_complete(tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    out = tmp_path / "run"
    r = subprocess.run([sys.executable, "-m", "fastbow.train", "--data", str(corpus), "--out", str(out),
                        "--epochs", "1", "--hidden", "8", "--no-progress"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.rstrip().splitlines()[-1].startswith("wrote ")  # the last line reached the pipe
    assert len(json.loads((out / "metrics.json").read_text())["epochs"]) == 1
    assert (out / "model.pt").stat().st_size > 0 and (out / "vocab.json").stat().st_size > 0


def test_exit_process_runs_atexit_handlers_and_passes_the_status(tmp_path):
    marker = tmp_path / "atexit.txt"
    code = ("import atexit, sys\n"
            f"atexit.register(lambda: open({str(marker)!r}, 'w').write('ran'))\n"
            "print('buffered', end='')\n"
            "from fastbow.cli import exit_process\n"
            "exit_process(3)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (r.returncode, r.stdout) == (3, "buffered")
    assert marker.read_text() == "ran"


def test_exit_process_waits_for_a_running_thread():
    code = ("import threading, time\n"
            "from fastbow.cli import exit_process\n"
            "threading.Thread(target=lambda: (time.sleep(0.3), print('thread done', flush=True))).start()\n"
            "exit_process(0)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (r.returncode, r.stdout) == (0, "thread done\n")
