"""The course notebook's two input pipelines, reimplemented to be measured against fastbow.

Source: ``shared/seed/SEED.md`` ("The pipeline in the notebook", exercise II.2)
and the notebook's ``IMDBDataset`` cells in ``shared/seed/notebook-pt.txt``.
Both feed ``torch.utils.data.DataLoader(batch_size=B, shuffle=True)`` with the
default collate (``torch.stack`` of B items) and no worker processes, as the
notebook does.

* :class:`NotebookItemDataset` (before exercise II.2.c): every
  ``__getitem__`` tokenizes the review, looks each token up in the vocabulary,
  allocates a ``(V + 1,)`` float32 zero tensor and sets the ones in a Python
  loop, one tensor assignment per token — for every item of every epoch.
* :class:`NotebookDenseDataset` (the II.2.c fix): the same vectors computed once
  in ``__init__`` and kept as one ``(V + 1,)`` float32 tensor per review:
  25,000 × 20,001 × 4 B = 2.0 GB of host memory for IMDB train (SEED.md mistake 7).

They use fastbow's vocabulary and tokenizer (the notebook used ``str.split``
and its own dictionary), so their batches are exactly fastbow's multi-hot rows
and every pipeline is measured on the same data. Labels are fastbow's
(folder names; the notebook's were inverted, SEED.md mistake 1).

:class:`NotebookLoader` wraps the ``DataLoader`` in the interface of
:class:`fastbow.training.loader.DeviceBatchLoader`, so :func:`fastbow.training.epoch.train_epoch`
times it like the others: iterating ``loader.sampler`` (per-item work and
collate) is charged to *data*, ``to_device`` (a plain ``.to(device)``, as the
notebook) to *transfer*.
"""
from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from fastbow.data.csr import CSR
from fastbow.data.tokenize import get_tokenizer
from fastbow.data.vocab import OOV_ID, Vocab
from fastbow.errors import FastbowError


class NotebookItemDataset(Dataset):
    """The notebook's first Dataset: one multi-hot vector built per item, per epoch, in Python.

    Args:
        texts (list[str]): the reviews, in CSR row order.
        labels (np.ndarray): ``(n,) int64`` class ids.
        vocab (Vocab): vocabulary (id 0 = OOV); its ``tokenizer`` tokenizes each review.

    ``dataset[i]`` is ``(x (V + 1,) float32, y () int64)``.

    Raises:
        FastbowError: ``texts`` and ``labels`` differ in length.
    """

    def __init__(self, texts, labels, vocab: Vocab):
        if len(texts) != len(labels):
            raise FastbowError(f"texts and labels differ in length ({len(texts)} vs {len(labels)}); "
                               "pass one label per review")
        self.data = list(zip((int(v) for v in labels), texts))
        self.index = vocab.index
        self.n_features = vocab.n_features
        self.tokenize = get_tokenizer(vocab.tokenizer)

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, idx):
        label, line = self.data[idx]
        get = self.index.get
        x = torch.zeros(self.n_features)
        for word in [get(w, OOV_ID) for w in self.tokenize(line)]:  # the notebook's encode_sentence
            x[word] = 1
        return x, torch.tensor(label)

    def state_bytes(self) -> int:
        """Host bytes of the dataset's own state (the UTF-8 texts; vectors are transient)."""
        return sum(len(t.encode()) for _, t in self.data)


class NotebookDenseDataset(Dataset):
    """The notebook's optimized Dataset: every multi-hot vector precomputed as a dense tensor.

    Args:
        csr (CSR): the split; row ``i``'s ids are the ones the notebook's
            ``return_vocab_in_sentence`` (a set of looked-up tokens) yields.
        rows (array of int, optional): build only these rows (in this order);
            default all. The per-batch cost does not depend on how many rows are kept.

    ``dataset[i]`` is ``(x (V + 1,) float32, y () int64)``.
    """

    def __init__(self, csr: CSR, rows=None):
        rows = np.arange(csr.n_docs) if rows is None else np.asarray(rows, dtype=np.int64)
        self.labels = [torch.tensor(int(csr.labels[r])) for r in rows]
        self.sentences = []
        for r in rows:
            x = torch.zeros(csr.n_features)
            x[torch.from_numpy(csr.indices[csr.indptr[r]:csr.indptr[r + 1]]).long()] = 1
            self.sentences.append(x)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, idx):
        return self.sentences[idx], self.labels[idx]

    def state_bytes(self) -> int:
        """Host bytes of the precomputed vectors: ``n × (V + 1) × 4``."""
        return sum(x.numel() * x.element_size() for x in self.sentences)


class NotebookLoader:
    """A notebook Dataset behind ``DataLoader(batch_size, shuffle)``, with fastbow's loader interface.

    Args:
        dataset (Dataset): a :class:`NotebookItemDataset` or :class:`NotebookDenseDataset`.
        batch_size (int): B.
        device (torch.device | str): where batches are moved (``.to(device)``, as the notebook).
        shuffle (bool): reshuffle every epoch (default True).
        seed (int): seeds the DataLoader's generator.

    Attributes:
        sampler: the ``DataLoader``; iterating it yields CPU batches ``(x (B, V + 1) float32,
            y (B,) int64)`` (this is the per-item and collate work).
    """

    backend = "collate"

    def __init__(self, dataset, batch_size: int, device="cpu", *, shuffle: bool = True, seed: int = 0):
        self.device = torch.device(device)
        self.dataset = dataset
        self.sampler = DataLoader(dataset, batch_size=batch_size, shuffle=shuffle,
                                  generator=torch.Generator().manual_seed(seed))

    def __len__(self) -> int:
        return len(self.sampler)

    def to_device(self, batch):
        """``(x, y)`` moved with ``.to(device)`` (synchronous from pageable memory on CUDA, as the notebook)."""
        x, y = batch
        return x.to(self.device), y.to(self.device)

    def materialize(self, batch):
        """Identity: the DataLoader already built the dense batch."""
        return batch

    def __iter__(self):
        for batch in self.sampler:
            yield self.to_device(batch)
