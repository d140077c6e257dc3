"""Tokenizers: text → list of token strings, chosen by name.

=============  ==============================================================
name           what it does
=============  ==============================================================
``whitespace`` ``text.split()``: the course notebook's first tokenizer.
               ``"A film.<br /><br />The end"`` → ``["A", "film.<br", "/><br",
               "/>The", "end"]``
``notebook``   the notebook's exercise II.4 normalizer, bug-compatible:
               lowercase → delete every ``string.punctuation`` character →
               ``re.findall(r"\\b\\w+\\b")``. Deleting punctuation glues words
               across HTML breaks: ``"film.<br /><br />The end"`` →
               ``["filmbr", "br", "the", "end"]``. Use it only to reproduce the
               notebook's figures (SEED.md, "Reference figures").
``words``      the default: HTML line breaks (``<br>``, ``<br/>``,
               ``<br />``, any case) become spaces, the text is lowercased,
               and words are maximal runs of Unicode letters/digits,
               optionally joined by an apostrophe (``don't``, ``l'amour``).
               Punctuation only ever separates words:
               ``"film.<br /><br />The end"`` → ``["film", "the", "end"]``;
               ``"Amélie's café—great!"`` → ``["amélie's", "café", "great"]``.
=============  ==============================================================

Every tokenizer is a plain function ``str -> list[str]`` (the work is done by
``str`` and ``re`` methods implemented in C; there is no per-character
Python loop).
"""
from __future__ import annotations

import re
import string
from typing import Callable

from fastbow.errors import FastbowError

Tokenizer = Callable[[str], list]

_PUNCT_TABLE = str.maketrans("", "", string.punctuation)
_NOTEBOOK_WORD = re.compile(r"\b\w+\b")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
# [^\W_] is \w without the underscore: Unicode letters and digits.
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# The same pattern for lowercased ASCII text, where [^\W_] can only match [a-z0-9] and ’ cannot occur.
# Most IMDB reviews are ASCII, and this class runs findall faster on them with identical tokens: the rows
# "tokenize train, words(), ASCII fast path" and "..., Unicode class only" of benchmarks group a measure both
# (`pytest --benchmark-only -k tokenize_words`; figures in benchmarks/RESULTS.md).
_WORD_ASCII = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")


def whitespace(text: str) -> list[str]:
    """Split on runs of whitespace (``str.split()``), as the notebook's vocabulary did.

    Example:
        >>> whitespace("I like  Pizza.")
        ['I', 'like', 'Pizza.']
    """
    return text.split()


def notebook(text: str) -> list[str]:
    """The notebook's II.4 normalizer, bug for bug (punctuation deleted before splitting).

    Source: ``generate_list_of_tokens`` in the course notebook
    (``shared/seed/notebook-pt.txt``, exercise II.4).

    Example:
        >>> notebook("A film.<br /><br />The end")
        ['a', 'filmbr', 'br', 'the', 'end']
    """
    return _NOTEBOOK_WORD.findall(text.lower().translate(_PUNCT_TABLE))


def words(text: str) -> list[str]:
    """fastbow's default: HTML breaks → spaces, lowercase, Unicode words; punctuation separates.

    Example:
        >>> words("A film.<br /><br />The END, isn't it?")
        ['a', 'film', 'the', 'end', "isn't", 'it']
    """
    text = _BR.sub(" ", text).lower()
    return (_WORD_ASCII if text.isascii() else _WORD).findall(text)


TOKENIZERS: dict[str, Tokenizer] = {"whitespace": whitespace, "notebook": notebook, "words": words}
DEFAULT_TOKENIZER = "words"


def get_tokenizer(name: str) -> Tokenizer:
    """Return the tokenizer function registered under ``name``.

    Raises:
        FastbowError: ``name`` is not one of ``TOKENIZERS`` (the message lists them).
    """
    try:
        return TOKENIZERS[name]
    except (KeyError, TypeError):
        raise FastbowError(
            f"unknown tokenizer {name!r}; choose one of: {', '.join(TOKENIZERS)}"
        ) from None
