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
from fastbow.options import DEFAULT_NGRAM_VOCAB_SIZE  # noqa: E402  {1: 20,000, 2: 100,000, 3: 200,000}

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


def ngram_stats(prepared) -> dict:
    """The n-gram vocabulary of a prepared dataset (:func:`fastbow.data.prepare.prepare` with n-gram options).

    Returns:
        dict: ``ngrams``, ``vocab_size`` (K kept), ``n_features``, ``kept_by_order`` (K per order),
        ``most_frequent`` (``{order: [[n-gram, count], ...]}``, 5 per order), ``distinct_training_ngrams``
        (before cut-offs), ``hash_buckets`` and ``hashing`` (``ngrams``, ``buckets_used``, ``collisions``
        on the training split, or None), and per split ``n_docs``, ``occurrences`` (n-gram occurrences),
        ``oov_occurrences`` and ``oov_share`` (their share in id 0) and ``mean_active_features`` (stored
        ids per row). OOV figures need term counts (``NgramOptions(counts=True)``); without them they are None.
    """
    import numpy as np

    v, info = prepared.vocab, prepared.info or {}
    order = np.array([t.count(" ") + 1 for t in v.tokens], dtype=np.int64)
    out = {"tokenizer": v.tokenizer, "ngrams": getattr(v, "ngrams", 1), "vocab_size": len(v),
           "n_features": v.n_features, "min_df": getattr(v, "min_df", 1), "max_df": getattr(v, "max_df", 1.0),
           "kept_by_order": {str(n): int((order == n).sum()) for n in range(1, getattr(v, "ngrams", 1) + 1)},
           "most_frequent": {str(n): [[v.tokens[i], int(v.counts[i])] for i in np.flatnonzero(order == n)[:5]]
                             for n in range(1, getattr(v, "ngrams", 1) + 1)},
           "distinct_training_ngrams": info.get("distinct_ngrams"),
           "hash_buckets": getattr(v, "hash_buckets", None), "hashing": info.get("hashing"), "splits": {}}
    for name, csr in (("train", prepared.train), ("test", prepared.test)):
        s = {"n_docs": csr.n_docs, "mean_active_features": csr.nnz / max(csr.n_docs, 1)}
        if csr.data is not None:
            total = float(csr.data.sum())
            oov = float(csr.data[csr.indices == 0].sum())
            s |= {"occurrences": int(total), "oov_occurrences": int(oov), "oov_share": oov / total if total else 0.0}
        else:
            s |= {"occurrences": None, "oov_occurrences": None, "oov_share": None}
        out["splits"][name] = s
    return out


def format_ngram_stats(st: dict) -> str:
    """:func:`ngram_stats` as text lines for ``python -m fastbow.stats``."""
    kept = ", ".join(f"{n}-grams {k:,}" for n, k in st["kept_by_order"].items())
    lines = [f"tokenizer {st['tokenizer']}, n-grams 1..{st['ngrams']} (min_df {st['min_df']}, max_df {st['max_df']}): "
             f"K = {st['vocab_size']:,} kept ({kept}); {st['n_features']:,} features",
             f"distinct training n-grams before the cut-offs: {st['distinct_training_ngrams']:,}"]
    for n, top in st["most_frequent"].items():
        lines.append(f"most frequent {n}-grams: " + ", ".join(f"{t} {c:,}" for t, c in top))
    if st["hashing"]:
        h = st["hashing"]
        lines.append(f"hashing: {h['ngrams']:,} distinct training n-grams of order >= 2 in {st['hash_buckets']:,} "
                     f"buckets, {h['buckets_used']:,} used, {h['collisions']:,} collisions "
                     f"({100 * h['collisions'] / max(h['ngrams'], 1):.1f}% of them share a bucket)")
    for name, s in st["splits"].items():
        oov = (f"; OOV {s['oov_occurrences']:,} of {s['occurrences']:,} occurrences ({100 * s['oov_share']:.2f}%)"
               if s["occurrences"] is not None else "")
        lines.append(f"{name}: {s['n_docs']:,} docs, {s['mean_active_features']:.1f} active features per row{oov}")
    return "\n".join(lines)
