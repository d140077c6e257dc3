"""Tests for fastbow.training.outdir: one run per --out at a time, unfinished runs kept unless --overwrite."""
import os
import signal
import subprocess
import sys
import textwrap

import pytest
from corpus import make_corpus, train_small

from fastbow.errors import FastbowError
from fastbow.training.outdir import LOCK_FILE, OutLock, check_unfinished


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_corpus(tmp_path_factory.mktemp("outdir"), n_per_class=30)


def test_a_second_training_into_the_same_out_is_refused(corpus, tmp_path, capsys):
    # issue 10, item 8
    out = tmp_path / "run"
    out.mkdir()
    with OutLock(out):  # the first run, still going
        assert train_small(corpus, out) == 2
        err = capsys.readouterr().err
        assert f"error: another training run (pid {os.getpid()}) is writing to {out}; wait for it" in err
    assert train_small(corpus, out) == 0  # free again once the first has finished


def test_a_crashed_run_does_not_leave_the_lock_stuck(tmp_path):
    code = f"""
        import os, time
        from fastbow.training.outdir import OutLock
        OutLock({str(tmp_path)!r}).acquire()
        print("locked", flush=True)
        time.sleep(60)
    """
    p = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "locked"
    with pytest.raises(FastbowError, match=rf"another training run \(pid {p.pid}\) is writing to"):
        OutLock(tmp_path).acquire()
    p.send_signal(signal.SIGKILL)  # a crash: no cleanup code runs
    p.wait(timeout=30)
    assert (tmp_path / LOCK_FILE).exists()
    OutLock(tmp_path).acquire().release()  # the kernel dropped the lock with the process
    assert not (tmp_path / LOCK_FILE).exists()


def test_an_unfinished_run_is_kept_unless_overwrite(corpus, tmp_path, capsys):
    # issue 10, item 9: a checkpoint without model.pt is a run that --resume can continue
    out = tmp_path / "run"
    out.mkdir()
    (out / "checkpoint.pt").write_bytes(b"saved state")
    assert train_small(corpus, out) == 2
    assert (f"{out} holds an unfinished run (a checkpoint without model.pt); continue it with python -m "
            f"fastbow.train --resume {out}, or pass --overwrite") in capsys.readouterr().err
    assert (out / "checkpoint.pt").read_bytes() == b"saved state"
    assert train_small(corpus, out, "--overwrite") == 0
    assert (out / "model.pt").exists() and (out / "checkpoint.pt").read_bytes() != b"saved state"
    check_unfinished(out, overwrite=False)  # finished now: a new run may replace it
    assert train_small(corpus, out) == 0


def test_out_naming_a_file_says_so(corpus, tmp_path, capsys):
    # issue 10, item 12
    (tmp_path / "f").write_text("x")
    assert train_small(corpus, tmp_path / "f") == 2
    assert f"error: --out {tmp_path / 'f'} is a file, not a folder" in capsys.readouterr().err
