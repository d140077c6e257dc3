"""Groups b and b′: one training batch made ready on the device, per method, and its bandwidth.

Every method builds the same K = 16 batches of B = 128 random training rows
(V + 1 = 20,001 features), one round = K batches, then waits for the device;
the figure is the median round divided by K. Methods:

* ``notebook-naive``: the notebook's per-item Dataset + default collate (+ ``.to(device)``);
* ``notebook-dense``: precomputed dense rows (4,096 of them: the per-batch cost does
  not depend on how many are kept) + default collate (+ ``.to(device)``);
* ``numba`` (CPU), ``torch`` (``index_put_`` reference), ``triton`` (CUDA only):
  fastbow's scatter from the device-resident CSR into a reused buffer;
* ``sparse``: no dense batch at all, only the ids and offsets for EmbeddingBag.

b′ divides :func:`benchutil.moved_bytes` by the time (GB/s = 1e9 bytes/s).
"""
import itertools

import pytest
import torch
from benchutil import (
    batch_rows,
    bench_device,
    mean_batch_distinct_share,
    mean_batch_nnz,
    moved_bytes,
    record,
    sync,
)
from fastbow.kernels import scatter_multi_hot, triton_available

from fastbow.baselines.notebook import (
    NotebookDenseDataset,
    NotebookItemDataset,
    NotebookLoader,
)
from fastbow.baselines.pipelines import profile_rows
from fastbow.training.loader import DeviceBatchLoader
from fastbow.training.sampler import RowBatchSampler
from fastbow.training.sparse_loader import SparseBatchLoader

B, K = 128, 16
METHODS = ("notebook-naive", "notebook-dense", "numba", "torch", "triton", "sparse")


def _maker(method, imdb, device):
    """A function that makes one batch ready on ``device`` per call, over the K fixed batches in turn."""
    csr = imdb.prepared.train
    batches = batch_rows(csr.n_docs, B, K)
    if method.startswith("notebook"):
        if method == "notebook-naive":
            ds = NotebookItemDataset(imdb.splits["train"].texts, csr.labels, imdb.prepared.vocab)
        else:
            ds = NotebookDenseDataset(csr, profile_rows(csr.n_docs, 4096))
        loader = NotebookLoader(ds, B, device)
        it = itertools.chain.from_iterable(itertools.repeat(loader.sampler))  # endless, reshuffled per pass
        return lambda: loader.to_device(next(it)), batches
    if method == "sparse":
        loader = SparseBatchLoader(csr, RowBatchSampler(csr.n_docs, B), device)
        cyc = itertools.cycle(batches)
        return lambda: loader.materialize(loader.to_device(next(cyc))), batches
    loader = DeviceBatchLoader(csr, RowBatchSampler(csr.n_docs, B), device, method)
    dev_batches = itertools.cycle([b.to(device) for b in batches])  # row ids already on the device
    out = torch.empty(B, csr.n_features, device=device)
    return lambda: scatter_multi_hot(loader.indptr, loader.indices, next(dev_batches), out,
                                     backend=method, check=False), batches


@pytest.mark.benchmark(group="b: one batch (x16)")
@pytest.mark.parametrize("method", METHODS)
def test_materialize(benchmark, imdb, results, run_info, method):
    device = bench_device()
    if method == "triton" and (device.type != "cuda" or not triton_available()):
        pytest.skip("the Triton kernel needs a CUDA device and the triton package (this run: "
                    f"device {device}, triton {'installed' if triton_available() else 'missing'})")
    if method == "numba" and device.type != "cpu":
        pytest.skip(f"the Numba kernel runs on CPU tensors only (this run: device {device})")
    make, batches = _maker(method, imdb, device)
    k = K if imdb.full else 2

    def round_():
        for _ in range(k):
            make()
        sync(device)  # sync point: the round ends when the device is done

    rounds = 3 if method == "notebook-naive" else 20
    benchmark.pedantic(round_, rounds=rounds, warmup_rounds=1)
    csr = imdb.prepared.train
    nnz = mean_batch_nnz(csr.indptr, batches)
    if benchmark.stats:
        per_batch = benchmark.stats.stats.median / k
        gbps = moved_bytes(method, B, csr.n_features, nnz) / per_batch / 1e9
        share = mean_batch_distinct_share(csr.indptr, csr.indices, batches)
        note = {"notebook-naive": "incl. tokenizing 128 reviews",
                "sparse": f"ids + offsets only, no (B, V+1) batch; {nnz:,.0f} ids per batch, "
                          f"{100 * share:.0f}% of them distinct (the rows of a coalesced gradient)"}
        record(results, "b", method, benchmark, per=k, gbps=gbps, mean_batch_nnz=nnz, note=note.get(method, ""))
    run_info["mean_batch_nnz"] = nnz
