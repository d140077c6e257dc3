"""Vocabulary: the K most frequent training tokens, ids 1..K, id 0 = out-of-vocabulary (OOV).

Convention (the course notebook's, SEED.md "The pipeline"): ids start at 1 in
order of decreasing training frequency and id 0 collects every token outside
the vocabulary, so a multi-hot vector has ``K + 1`` features. Unlike the
notebook (whose order among equal counts follows document order), ties are
broken by the token itself, ascending, so the vocabulary never depends on the
order in which documents are read.
"""
from __future__ import annotations

import json
import os
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from fastbow.atomic import atomic_write
from fastbow.errors import DataError, FastbowError

DEFAULT_VOCAB_SIZE = 20_000
OOV_ID = 0


@dataclass(frozen=True)
class Vocab:
    """A frozen token → id mapping built from training tokens.

    Attributes:
        tokens (tuple[str, ...]): ``tokens[i]`` has id ``i + 1``; ``len(tokens) = K``.
        counts (tuple[int, ...]): training-split occurrences of each token, same order.
        tokenizer (str): name of the tokenizer that produced the tokens
            (see :mod:`fastbow.data.tokenize`); saved with the vocabulary so the same
            tokenizer is used at prediction time.

    Example:
        >>> v = build_vocab([["b", "a", "b"], ["c", "a"]], max_size=2, tokenizer="words")
        >>> v.tokens, v.n_features, v.encode(["a", "zzz", "b"])
        (('a', 'b'), 3, [1, 0, 2])
    """

    tokens: tuple
    counts: tuple
    tokenizer: str
    index: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "index", {t: i for i, t in enumerate(self.tokens, 1)})

    def __len__(self) -> int:
        """K, the number of in-vocabulary tokens (OOV not counted)."""
        return len(self.tokens)

    @property
    def n_features(self) -> int:
        """K + 1: the width of a multi-hot vector (id 0 is the OOV slot)."""
        return len(self.tokens) + 1

    def encode(self, tokens: Iterable[str]) -> list[int]:
        """Map tokens to ids in order, OOV → 0 (``list[int]``, one id per token)."""
        get = self.index.get
        return [get(t, OOV_ID) for t in tokens]

    def to_dict(self) -> dict:
        """JSON-ready form: ``{"tokenizer", "tokens", "counts"}``."""
        return {"tokenizer": self.tokenizer, "tokens": list(self.tokens), "counts": list(self.counts)}

    @classmethod
    def from_dict(cls, d: dict) -> "Vocab":
        """Inverse of :meth:`to_dict`.

        Raises:
            DataError: a key is missing or tokens and counts differ in length.
        """
        try:
            tokens, counts, tok = tuple(d["tokens"]), tuple(int(c) for c in d["counts"]), str(d["tokenizer"])
        except (KeyError, TypeError, ValueError) as e:
            raise DataError(f"vocabulary data is malformed ({e!r}); rebuild it by training again") from None
        if len(tokens) != len(counts):
            raise DataError(
                f"vocabulary data is malformed: {len(tokens)} tokens but {len(counts)} counts; rebuild it"
            )
        return cls(tokens, counts, tok)

    def save(self, path: str | os.PathLike) -> None:
        """Write the vocabulary as UTF-8 JSON, atomically (temporary file + rename)."""
        with atomic_write(path, "w") as f:
            json.dump(self.to_dict(), f, ensure_ascii=False)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Vocab":
        """Read a vocabulary written by :meth:`save`.

        Raises:
            DataError: the file is missing or is not a vocabulary file.
        """
        try:
            with open(path, encoding="utf-8") as f:
                return cls.from_dict(json.load(f))
        except FileNotFoundError:
            raise DataError(f"vocabulary file {path} not found; pass the output folder of a training run") from None
        except json.JSONDecodeError as e:
            raise DataError(f"vocabulary file {path} is not valid JSON ({e}); retrain to rebuild it") from None


def check_vocab_size(max_size) -> int:
    """Validate a requested vocabulary size K; returns it as ``int``.

    Raises:
        FastbowError: ``max_size`` is not a positive integer (``bool`` is rejected).
    """
    if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size <= 0:
        raise FastbowError(f"vocab_size should be a positive integer value, but got vocab_size={max_size!r}")
    return max_size


def count_tokens(token_lists: Iterable[list]) -> Counter:
    """Occurrences of each token over all documents (``Counter``; C-level counting per document)."""
    counter: Counter = Counter()
    update = counter.update
    for toks in token_lists:
        update(toks)
    return counter


def build_vocab(token_lists: Iterable[list] | Counter, max_size: int = DEFAULT_VOCAB_SIZE, *,
                tokenizer: str) -> Vocab:
    """Keep the ``max_size`` most frequent tokens; ties by token, ascending.

    Args:
        token_lists (iterable of list[str] or Counter): the training split's
            tokens per document, or their counts.
        max_size (int): K, the number of in-vocabulary tokens wanted (default 20,000).
        tokenizer (str): the tokenizer's name, stored in the vocabulary.

    Returns:
        Vocab: ``min(max_size, distinct tokens)`` tokens. When fewer distinct
        tokens exist than ``max_size``, K is clamped and a ``UserWarning`` says so.

    Raises:
        FastbowError: ``max_size`` is not a positive integer.
        DataError: the training split has no tokens at all.
    """
    max_size = check_vocab_size(max_size)
    counter = token_lists if isinstance(token_lists, Counter) else count_tokens(token_lists)
    if not counter:
        raise DataError("empty vocabulary: the training split has no tokens; check the data and the tokenizer")
    if max_size > len(counter):
        warnings.warn(
            f"vocab_size={max_size} is larger than the {len(counter)} distinct training tokens; "
            f"using {len(counter)}", UserWarning, stacklevel=2)
    ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:max_size]
    return Vocab(tuple(t for t, _ in ranked), tuple(c for _, c in ranked), tokenizer)
