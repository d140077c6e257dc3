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
``words``      the default (version 2, :data:`VERSIONS`): HTML line breaks (``<br>``,
               ``<br/>``, ``<br />``, any case) become spaces; apostrophe variants
               (:data:`APOSTROPHES`: ``’ ‘ ʼ ʻ ʹ ′ ´ ` ＇ ‛``) become ``'``; the text is
               put in Unicode normalization form NFC and lowercased; a word is a
               letter or digit followed by letters, digits and combining marks
               (``\\p{L} \\p{N} \\p{M}``), optionally joined by ``'`` or a zero-width
               (non-)joiner to the next such run (``don't``, ``l'amour``, Persian
               ``می‌خواهم``). Punctuation only ever separates words:
               ``"film.<br /><br />The end"`` → ``["film", "the", "end"]``;
               ``"Amélie’s café—great!"`` → ``["amélie's", "café", "great"]``;
               ``"बुरा बोरा"`` → ``["बुरा", "बोरा"]`` (Devanagari vowel signs are
               combining marks and stay in their word).
=============  ==============================================================

Every tokenizer is a plain function ``str -> list[str]`` (the work is done by
``str``, ``unicodedata``, ``re`` and ``regex`` methods implemented in C; there is
no per-character Python loop).

Why NFC and not NFKC for ``words``: both make composed and decomposed text
(``"café"`` typed as ``e`` + U+0301 or as ``é``) the same word, so
``words(nfc(s)) == words(nfd(s))`` for every ``s`` (``tests/test_fuzz.py``).
NFC stops there: it only merges canonically equivalent spellings, which are the
same text by definition. NFKC also folds compatibility variants (full-width
``Ｇｏｏｄ``, ligatures ``ﬁ``), but it changes what some text says: it turns
``½`` into ``1⁄2`` and ``²`` into ``2``, so ``8½`` became the tokens ``81``
and ``2`` and ``10²`` became ``102``. Tried on the 25,000 IMDB training
reviews, NFKC changed 22 of them (``8½``, ``alien³``, ``º``) and folded no full-width or
ligature word at all, so NFC is the safer rule. Apostrophes are folded
explicitly (:data:`APOSTROPHES`), since no normalization form does it.
Scripts written without spaces (Thai, Chinese, Japanese) still give one token
per run of letters: splitting them needs a dictionary segmenter.

ASCII text (90 % of IMDB reviews) skips the folding and normalization (NFC
leaves ASCII unchanged) and uses an ``[a-z0-9]`` pattern that gives the same
tokens as the Unicode one (``tests/test_tokenize.py`` checks this).
"""
from __future__ import annotations

import re
import string
import unicodedata
from typing import Callable

import regex

from fastbow.errors import FastbowError

Tokenizer = Callable[[str], list]

_PUNCT_TABLE = str.maketrans("", "", string.punctuation)
_NOTEBOOK_WORD = re.compile(r"\b\w+\b")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
# Apostrophe variants that `words` folds to "'" (then an apostrophe joins the runs around it).
APOSTROPHES = "\u2019\u2018\u02bc\u02bb\u02b9\u2032\u00b4`\uff07\u201b"
_APOSTROPHE = re.compile(f"[{re.escape(APOSTROPHES)}]")  # re: 3x faster than regex for a plain class
# A word: a letter or digit, then letters, digits and combining marks; runs joined by ', ZWNJ or ZWJ.
_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}\p{M}]*(?:['\u200c\u200d][\p{L}\p{N}][\p{L}\p{N}\p{M}]*)*")
# The same pattern for lowercased ASCII text, where it can only match [a-z0-9] and "'".
# Most IMDB reviews are ASCII, and this class runs findall faster on them with identical tokens: the rows
# "tokenize train, words(), ASCII fast path" and "..., Unicode class only" of benchmarks group a measure both
# (`pytest --benchmark-only -k tokenize_words`; figures in benchmarks/RESULTS.md).
_WORD_ASCII = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")

# Changing what a tokenizer returns for some text bumps its version; the version is part of the
# CSR cache key (fastbow.data.prepare.cache_key), so a cache built by the old rule is never reused.
# words 2: NFC, combining marks kept in their word, apostrophe variants folded (issue 10, item 1).
VERSIONS = {"whitespace": 1, "notebook": 1, "words": 2}

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
    """fastbow's default: HTML breaks → spaces, apostrophes folded, NFC, lowercase, Unicode words.

    The rule is in the module docstring; ``words(s)`` depends only on the NFC form of ``s``.

    Example:
        >>> words("A film.<br /><br />The END, isn’t it?")
        ['a', 'film', 'the', 'end', "isn't", 'it']
        >>> words("Cafe\u0301 l´amour") == words("Café l'amour") == ['café', "l'amour"]
        True
    """
    text = _BR.sub(" ", text)
    if text.isascii():
        return _WORD_ASCII.findall(text.replace("`", "'").lower())
    text = unicodedata.normalize("NFC", _APOSTROPHE.sub("'", text)).lower()
    return _WORD.findall(text)


def version_tag(name: str) -> str:
    """``name`` for a tokenizer at version 1, else ``"name@v<version>"``: what the cache key records.

    Raises:
        FastbowError: unknown ``name`` (see :func:`get_tokenizer`).
    """
    get_tokenizer(name)
    v = VERSIONS[name]
    return name if v == 1 else f"{name}@v{v}"


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
