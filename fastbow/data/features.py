"""A run's feature options in one place: n-gram preparation, default K, input kind, weighting of the splits.

The glue between :class:`fastbow.training.run.TrainConfig` (any object with the same attribute names)
and :mod:`fastbow.data.ngrams` / :mod:`fastbow.data.weighting`, so the trainer, the sweeps and the
statistics build features the same way.
"""
from __future__ import annotations

from numbers import Real

from fastbow.data.ngrams import NgramOptions
from fastbow.data.subsets import Splits
from fastbow.data.vocab import DEFAULT_VOCAB_SIZE
from fastbow.data.weighting import Weighting, check_weighting, needs_counts
from fastbow.errors import FastbowError

# K when --vocab-size is not given: the unigram default, and for n-grams the size at which NB-weighted
# uni+bigram logistic regression on IMDB stops gaining (20k: 90.98 %, 100k: 91.45 %, 300k: 91.50 %,
# all 437k with min_df 2: 91.42 %; measured with scikit-learn, C = 0.1)
DEFAULT_NGRAM_VOCAB_SIZE = {1: DEFAULT_VOCAB_SIZE, 2: 100_000, 3: 200_000}
# --input auto: the sparse (EmbeddingBag) path above this many features, the dense scatter path below
AUTO_SPARSE_FEATURES = 50_001


def default_vocab_size(ngrams: int) -> int:
    """K for ``--ngrams N`` when ``--vocab-size`` is not given (:data:`DEFAULT_NGRAM_VOCAB_SIZE`)."""
    return DEFAULT_NGRAM_VOCAB_SIZE.get(ngrams, DEFAULT_VOCAB_SIZE)


def ngram_options(cfg) -> NgramOptions:
    """The preparation options of ``cfg`` (term counts are stored when its weighting reads them)."""
    return NgramOptions(cfg.ngrams, cfg.min_df, cfg.max_df, cfg.hash_buckets, needs_counts(cfg.weighting))


def resolve_input(kind: str, n_features: int) -> str:
    """``"dense"`` or ``"sparse"``: ``"auto"`` is sparse above :data:`AUTO_SPARSE_FEATURES` features."""
    if kind == "auto":
        return "sparse" if n_features > AUTO_SPARSE_FEATURES else "dense"
    return kind


def _check_rate(name: str, value, upper_open: bool) -> None:
    ok = isinstance(value, Real) and not isinstance(value, bool) and value >= 0 and (value < 1 or not upper_open)
    if not ok:
        rng = "in [0, 1)" if upper_open else ">= 0"
        raise FastbowError(f"{name} should be a number {rng}, but got {name}={value!r}")


def validate_features(cfg) -> None:
    """Check ``ngrams``, ``min_df``, ``max_df``, ``hash_buckets``, ``weighting``, ``dropout``, ``weight_decay``.

    Raises:
        FastbowError: the first bad value (one line); ``weight_decay`` with sparse SGD gradients.
    """
    ngram_options(cfg).validate()
    check_weighting(cfg.weighting)
    _check_rate("dropout", cfg.dropout, upper_open=True)
    _check_rate("weight_decay", cfg.weight_decay, upper_open=False)
    if cfg.weight_decay and cfg.optimizer == "sgd" and cfg.input != "dense":
        raise FastbowError("weight_decay with --optimizer sgd needs dense gradients; pass --input dense "
                           "(the sparse path gives sgd sparse gradients) or use --optimizer adam")


def apply_weighting(scheme: str, parts: Splits, n_classes: int) -> Splits:
    """``parts`` with feature values of ``scheme``, fitted on ``parts.train`` only (:mod:`fastbow.data.weighting`)."""
    w = Weighting(scheme, n_classes).fit(parts.train)
    return Splits(w.transform(parts.train), w.transform(parts.val), w.transform(parts.test))
