"""Lazy Adam or exact dense Adam on the fused path: accuracy and epoch time on IMDB (issue 9, item 1).

Run: ``python benchmarks/adam_choice.py ARCHIVE [--val-fraction 0.1] [--epochs 2] [--lr 3e-4]``.
Trains the default model with the fused kernels twice from the same initial weights, once with
each table update (:class:`fastbow.training.fused.FusedSparseOptimizer` ``"adam"`` / ``"dense-adam"``),
and prints validation and test accuracy per epoch with the training epoch's time split.
The figures and the choice they made are in ``benchmarks/RESULTS.md``, "Fused sparse kernels".
"""
import argparse
import logging

import torch

import fastbow.training.run as run_mod
from fastbow.data.prepare import prepare
from fastbow.data.tokenize import DEFAULT_TOKENIZER
from fastbow.data.vocab import DEFAULT_VOCAB_SIZE
from fastbow.training.fused import FusedSparseOptimizer
from fastbow.training.run import TrainConfig, run_prepared


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("--val-fraction", type=float, default=0.1)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--lr", type=float, nargs="+", default=[3e-4])
    p.add_argument("--algorithms", nargs="+", default=["adam", "dense-adam"])
    a = p.parse_args()
    logging.basicConfig(level=logging.WARNING)
    data = prepare(a.data, DEFAULT_TOKENIZER, DEFAULT_VOCAB_SIZE)
    real = run_mod.make_optimizer
    for lr in a.lr:
        for algorithm in a.algorithms:
            def make(name, params, lr, algorithm=algorithm):  # run.py passes the model itself on the fused path
                if isinstance(params, torch.nn.Module):
                    return FusedSparseOptimizer(params, algorithm, lr)
                return real(name, params, lr)
            run_mod.make_optimizer = make
            cfg = TrainConfig(data=a.data, out="/tmp/fz/adam_choice", epochs=a.epochs, lr=lr, input="fused",
                              val_fraction=a.val_fraction, progress=False, save_model=False)
            r = run_prepared(cfg, data)
            for e in r["epochs"]:
                t = e["time_s"]
                print(f"{algorithm:10s} lr {lr:g} epoch {e['epoch']}: val {100 * e.get('val_accuracy', float('nan')):.2f} % "
                      f"test {100 * e['test_accuracy']:.2f} % | train epoch {t['total']:.2f} s (fwd {t['forward']:.2f} "
                      f"bwd {t['backward']:.2f} opt {t['optimizer']:.2f} data {t['data']:.2f}) eval {e['eval_s']:.2f} s",
                      flush=True)
    run_mod.make_optimizer = real


if __name__ == "__main__":
    main()
