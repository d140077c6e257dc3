"""Tests for fastbow.cli: errors in flag terms, exit codes, options a command drops."""
import argparse

import pytest

from fastbow.cli import drop_options, in_flag_terms


def parser():
    p = argparse.ArgumentParser()
    p.add_argument("--batch-size", type=int)
    p.add_argument("--epochs", type=int)
    p.add_argument("--early-stopping", type=int)
    p.add_argument("--shuffle", action=argparse.BooleanOptionalAction)
    return p


def test_library_parameter_names_become_flags():
    # issue 10, item 13
    p = parser()
    assert (in_flag_terms("batch_size should be a positive integer value, but got batch_size=0", p)
            == "--batch-size should be a positive integer value, but got --batch-size 0")
    assert in_flag_terms("epochs should be positive, but got epochs=-1", p) == "--epochs should be positive, but got --epochs -1"
    assert in_flag_terms("early_stopping needs a validation split", p) == "--early-stopping needs a validation split"
    # English words that happen to be option names stay words; messages without a parser are unchanged
    assert in_flag_terms("stopped after 2 epochs; shuffle them", p) == "stopped after 2 epochs; shuffle them"
    assert in_flag_terms("batch_size=0", None) == "batch_size=0"


def test_drop_options_removes_a_flag_from_usage_and_parsing():
    p = parser()
    drop_options(p, "epochs")
    assert "--epochs" not in p.format_help() and p.parse_known_args(["--epochs", "3"])[1] == ["--epochs", "3"]


def test_sweep_help_has_no_resume_and_says_what_it_writes(capsys):
    from fastbow.sweep import build_parser
    text = build_parser().format_help()
    assert "--resume" not in text and "--overwrite" not in text
    assert "Writes OUT/sweep.csv" in " ".join(text.split()) and "OUT/points/POINT/metrics.json" in " ".join(text.split())


def test_sigterm_outside_the_training_loop_unwinds_and_exits_143(capsys):
    # issue 10, item 10: e.g. during data preparation; `finally` blocks (the --out lock) still run
    import signal

    from fastbow.cli import run_cli
    cleaned = []

    def work():
        try:
            signal.raise_signal(signal.SIGTERM)
        finally:
            cleaned.append(True)

    before = signal.getsignal(signal.SIGTERM)
    assert run_cli(work) == 143 and cleaned == [True]
    assert capsys.readouterr().err == "terminated (SIGTERM)\n" and signal.getsignal(signal.SIGTERM) is before


def test_flags_are_never_abbreviated_and_a_typo_is_one_line_with_the_closest_flag(capsys):
    from fastbow.train import main

    with pytest.raises(SystemExit) as e:
        main(["--epoch", "1"])  # argparse's default would read this as --epochs
    err = capsys.readouterr().err
    assert e.value.code == 2 and err.count("\n") == 1 and "usage:" not in err
    assert err == ("error: unrecognized arguments: --epoch 1; did you mean --epochs? "
                   "(see python -m fastbow.train --help)\n")
