"""fastbow/estimators/console.py: what fit shows in a notebook, and that the logger is left as it was."""
import logging

import pytest

from fastbow.errors import FastbowError
from fastbow.estimators.console import reporting

log = logging.getLogger("fastbow")


@pytest.fixture(autouse=True)
def _bare_fastbow_logger(monkeypatch):
    """A logger as in a fresh notebook (the CLI tests may have connected one in this process)."""
    monkeypatch.setattr(log, "handlers", [])
    monkeypatch.setattr(log, "level", logging.NOTSET)
    monkeypatch.setattr(log, "propagate", True)


def test_verbose_prints_info_lines_on_stdout_once_and_restores_the_logger(capsys, caplog):
    with reporting(True):
        log.info("epoch 1/2 | train loss 0.5")
    assert capsys.readouterr().out == "epoch 1/2 | train loss 0.5\n"
    assert caplog.records == []  # not also through the root logger's handlers: no line twice
    assert log.handlers == [] and log.level == logging.NOTSET and log.propagate


def test_quiet_hides_info_but_not_warnings(capsys, caplog):
    with reporting(False):
        log.info("epoch 1/2")
        log.warning("warning: --lr is tiny")
    assert capsys.readouterr().out == ""
    assert [r.getMessage() for r in caplog.records] == ["warning: --lr is tiny"]
    assert log.level == logging.NOTSET


def test_a_users_own_handler_is_used_as_it_is(capsys):
    seen = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())
    log.addHandler(handler)
    with reporting(True):
        log.info("epoch 1/2")
    assert seen == ["epoch 1/2"] and capsys.readouterr().out == "" and log.handlers == [handler]


def test_verbose_must_be_a_bool():
    with pytest.raises(FastbowError, match="verbose should be True or False, but got verbose=1"):
        with reporting(1):
            pass
