"""fastbow: multi-hot bag-of-words text classification for PyTorch.

The data path, one folder per stage::

    fastbow/data      read → tokenize → vocab → csr (+ prepare: cached; memory: in-memory texts)
    fastbow/training  sampler → fastbow.kernels (scatter) → loader → epoch loop → run
    fastbow/models    OneHotMLP, SparseBagMLP
    fastbow/inference.py   score texts with a trained run
    fastbow/estimators     BowClassifier, BowVectorizer (scikit-learn style, in memory)

The kernels are in the repository's top-level ``kernels/`` folder, installed
as ``fastbow.kernels`` (see ``setup.py``).

What a user imports is named here and loaded on first use (PEP 562), so ``import fastbow``
stays light (no torch) until one of these names is touched::

    from fastbow import BowClassifier, BowVectorizer, MultiHotDataset, RowBatchSampler
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "BowClassifier": "fastbow.estimators.classifier",
    "BowVectorizer": "fastbow.estimators.vectorizer",
    "MultiHotDataset": "fastbow.training.torch_data",
    "MultiHotBatch": "fastbow.training.torch_data",
    "collate_multi_hot": "fastbow.training.torch_data",
    "RowBatchSampler": "fastbow.training.sampler",
    "OneHotMLP": "fastbow.models.mlp",
    "SparseBagMLP": "fastbow.models.embedding_bag",
    "Predictor": "fastbow.inference",
    "load_predictor": "fastbow.inference",
    "prepare": "fastbow.data.prepare",
    "prepare_texts": "fastbow.data.memory",
    "encode_labels": "fastbow.data.memory",
    "read_imdb": "fastbow.data.reader",
    "scatter_multi_hot": "fastbow.kernels",
    "TrainConfig": "fastbow.training.config",
    "FastbowError": "fastbow.errors",
    "DataError": "fastbow.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    """Import the module defining ``name`` on first access (PEP 562) and cache the value here."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'fastbow' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
