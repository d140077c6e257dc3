"""Started by ``torchrun`` in ``tests/test_distributed.py``: ``python -m fastbow.train``'s ``main`` with test hooks.

- ``TEST_SIGINT_RANK`` / ``TEST_SIGINT_AT_STEP``: that rank alone receives a real SIGINT right after
  its optimizer step number ``TEST_SIGINT_AT_STEP`` (the other ranks must stop at the same batch);
- ``TEST_ROWS_DIR``: each rank writes ``rows-<rank>.json``, the training row ids it was given per epoch.

The command-line arguments are passed to ``fastbow.train.main`` unchanged.
"""
import json
import os
import signal
import sys
from collections import defaultdict
from pathlib import Path

import fastbow.training.run as run_mod
from fastbow.train import main
from fastbow.training.dist_sampler import DistributedRowBatchSampler

RANK = int(os.environ["RANK"])
seen = defaultdict(list)  # epoch -> row ids this rank trained on (shuffled training sampler only)

_iter = DistributedRowBatchSampler.__iter__


def _save_seen():
    if os.environ.get("TEST_ROWS_DIR"):
        (Path(os.environ["TEST_ROWS_DIR"]) / f"rows-{RANK}.json").write_text(json.dumps(seen))


def _recording_iter(self):
    for rows in _iter(self):
        if self.shuffle:
            seen[self.epoch].extend(rows.tolist())
            _save_seen()  # at once: torchrun ends this rank when the other exits first (the interrupted run)
        yield rows


DistributedRowBatchSampler.__iter__ = _recording_iter

if int(os.environ.get("TEST_SIGINT_RANK", "-1")) == RANK:
    at, real = int(os.environ["TEST_SIGINT_AT_STEP"]), run_mod.make_optimizer

    def make(name, params, lr):
        opt, count = real(name, params, lr), [0]
        step = opt.step

        def stepper(*a, **k):
            out = step(*a, **k)
            count[0] += 1
            if count[0] == at:
                signal.raise_signal(signal.SIGINT)
            return out
        opt.step = stepper
        return opt
    run_mod.make_optimizer = make

status = main(sys.argv[1:])
_save_seen()
sys.exit(status)
