"""The names the command lines offer and their defaults, importable without torch, numba or numpy.

The CLIs' argument parsers (``python -m fastbow.<command> --help``, and argument errors) import
only this module, :mod:`fastbow.training.config` and the light data modules, so they answer in
about 0.1 s instead of the ~2 s that importing torch and numba costs (issue 9, item 5;
``tests/test_startup.py`` checks that ``--help`` imports neither). Each constant is re-exported by
the module that implements it (``fastbow.kernels.BACKENDS``, ``fastbow.models.embedding_bag.INPUTS``,
``fastbow.training.epoch.OPTIMIZERS``, ``fastbow.models.mlp.DEFAULT_HIDDEN``,
``fastbow.data.subsets.SUBSET_MODES``, ``fastbow.baselines.pipelines.PIPELINES``,
``fastbow.data.dataset.QUOTING``, ``fastbow.training.class_weight.CLASS_WEIGHTS``): define a new choice here,
once.
"""
from __future__ import annotations

BACKENDS = ("auto", "numba", "triton", "torch")  # scatter kernel of the dense path (fastbow.kernels)
INPUTS = ("auto", "fused", "sparse", "dense")    # how batches reach the model; auto: fastbow.training.fused.resolve_input
OPTIMIZERS = ("sgd", "adam")                     # fastbow.training.epoch.make_optimizer
DEFAULT_HIDDEN = 200                             # hidden units H of the MLP (fastbow.models.mlp)
SUBSET_MODES = ("first", "balanced", "random")   # how --train-size/--test-size pick rows (fastbow.data.subsets)
QUOTING = ("minimal", "none")                   # --quoting of CSV/TSV tables (fastbow.data.dataset)
CLASS_WEIGHTS = ("none", "balanced")             # --class-weight (fastbow.training.class_weight)
DEFAULT_NGRAM_VOCAB_SIZE = {1: 20_000, 2: 100_000, 3: 200_000}  # K when --vocab-size is not given (fastbow.data.features)
WEIGHTINGS = ("binary", "count", "tfidf", "nb")   # --weighting: feature values (fastbow.data.weighting)
PIPELINES = ("notebook-naive", "notebook-dense", "scatter", "sparse", "fused")  # python -m fastbow.profile (fastbow.baselines.pipelines)
