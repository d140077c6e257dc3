"""The fused epoch against its memory-traffic floor, and 1 against 2 Numba threads (issue 9, items 1 and 4).

Run: ``python benchmarks/fused_floor.py ARCHIVE [--threads 1 2] [--rounds 3]``.

Floor (bytes one epoch must move through the cache hierarchy, table of (V + 1) × H float32, 16 MB for
IMDB, L3-resident on this machine; Adam's two moments add 32 MB)::

    forward   nnz_epoch × H × 4          read each id's table row once
    SGD       U_epoch   × H × 4 × 2      read + write each batch's distinct rows once
    lazy Adam U_epoch   × H × 4 × 6      read + write table, exp_avg, exp_avg_sq rows

``nnz_epoch`` = ids in the epoch's batches, ``U_epoch`` = sum over batches of distinct ids. The
floor in seconds divides those bytes by bandwidths measured here on one core with the same access
pattern (whole 800-byte rows: a read-only row sum, and a read-modify-write row update, over the
epoch's own ids). Times are reported as wall and as process CPU time: on a shared machine the
CPU time is the less disturbed figure (it excludes time spent waiting for a core).
"""
import argparse
import time

import numba
import numpy as np
import torch
from numba import njit

from fastbow.data.prepare import prepare
from fastbow.data.tokenize import DEFAULT_TOKENIZER
from fastbow.data.vocab import DEFAULT_VOCAB_SIZE
from fastbow.models.embedding_bag import SparseBagMLP
from fastbow.models.mlp import OneHotMLP
from fastbow.training.epoch import train_epoch
from fastbow.training.fused import FusedSparseOptimizer
from fastbow.training.sampler import RowBatchSampler
from fastbow.training.sparse_loader import SparseBatchLoader


@njit(cache=True)
def _read_rows(table, ids):
    acc = np.zeros(table.shape[1], np.float32)
    for p in range(ids.shape[0]):
        row = table[ids[p]]
        for h in range(table.shape[1]):
            acc[h] += row[h]
    return acc


@njit(cache=True)
def _rmw_rows(table, rows):
    for p in range(rows.shape[0]):
        row = table[rows[p]]
        for h in range(table.shape[1]):
            row[h] = row[h] * np.float32(0.999) + np.float32(1e-3)


def timed(f, *a):
    w, c = time.perf_counter(), time.process_time()
    f(*a)
    return time.perf_counter() - w, time.process_time() - c


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--rounds", type=int, default=3)
    a = p.parse_args()
    data = prepare(a.data, DEFAULT_TOKENIZER, DEFAULT_VOCAB_SIZE)
    csr, H = data.train, 200
    sampler = RowBatchSampler(csr.n_docs, 128, seed=0)
    sampler.set_epoch(1)
    ids_epoch, uniq_epoch = [], []
    for rows in sampler:
        r = rows.numpy()
        ids = np.concatenate([csr.indices[csr.indptr[i]:csr.indptr[i + 1]] for i in r]).astype(np.int64)
        ids_epoch.append(ids)
        uniq_epoch.append(np.unique(ids))
    ids_all, uniq_all = np.concatenate(ids_epoch), np.concatenate(uniq_epoch)
    nnz, U = ids_all.size, uniq_all.size
    row = H * 4
    print(f"epoch: {len(ids_epoch)} batches, nnz_epoch {nnz:,} ids, U_epoch {U:,} distinct-per-batch rows "
          f"({U / nnz:.0%} of ids); table {csr.n_features} x {H} float32 = {csr.n_features * row / 1e6:.1f} MB")
    table = np.random.default_rng(0).random((csr.n_features, H), dtype=np.float32)
    _read_rows(table, ids_all[:10]), _rmw_rows(table, uniq_all[:10])  # compile
    rd = min((timed(_read_rows, table, ids_all) for _ in range(3)), key=lambda t: t[1])
    rmw = min((timed(_rmw_rows, table, uniq_all) for _ in range(3)), key=lambda t: t[1])
    bw_read, bw_rmw = nnz * row / rd[1], 2 * U * row / rmw[1]  # bytes per CPU second
    print(f"bandwidth, 1 core (CPU time): row reads {bw_read / 1e9:.1f} GB/s, row read+write {bw_rmw / 1e9:.1f} GB/s")
    fwd_b = nnz * row
    for name, k in (("sgd", 2), ("adam", 6)):
        upd_b = U * row * k
        floor = fwd_b / bw_read + upd_b / bw_rmw
        print(f"floor {name}: {(fwd_b + upd_b) / 1e9:.2f} GB/epoch (forward {fwd_b / 1e9:.2f} + update "
              f"{upd_b / 1e9:.2f}) -> {floor:.3f} s")
    for name in ("sgd", "adam"):
        for t in a.threads:
            numba.set_num_threads(t)
            torch.manual_seed(0)
            model = SparseBagMLP.from_dense(OneHotMLP(csr.n_features, H, 1))
            opt = FusedSparseOptimizer(model, name, 0.01 if name == "sgd" else 3e-4, threads=t)
            loader = SparseBatchLoader(csr, RowBatchSampler(csr.n_docs, 128, seed=0))
            train_epoch(model, _Head(loader, 3), opt, progress=False)  # compile / warm
            for r in range(a.rounds):
                w, c = time.perf_counter(), time.process_time()
                _, s = train_epoch(model, loader, opt, progress=False)
                w, c = time.perf_counter() - w, time.process_time() - c
                print(f"fused {name} threads {t} round {r}: wall {w:.3f} s, CPU {c:.3f} s | forward "
                      f"{s['forward']:.3f} backward {s['backward']:.3f} optimizer {s['optimizer']:.3f} "
                      f"data {s['data']:.3f}", flush=True)


class _Head:
    """The first ``n`` batches of a loader (same interface)."""

    def __init__(self, loader, n):
        self.loader, self.n, self.device = loader, n, loader.device
        self.sampler = [r for r, _ in zip(loader.sampler, range(n))]

    def __len__(self):
        return self.n

    def to_device(self, rows):
        return self.loader.to_device(rows)

    def materialize(self, rows):
        return self.loader.materialize(rows)


if __name__ == "__main__":
    main()
