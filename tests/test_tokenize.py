import pytest

from fastbow.data.tokenize import TOKENIZERS, get_tokenizer, notebook, whitespace, words
from fastbow.errors import FastbowError


def test_whitespace_is_str_split():
    assert whitespace("I like  Pizza.\nOK") == ["I", "like", "Pizza.", "OK"]


def test_notebook_is_bug_compatible_and_glues_across_br():
    # lowercase -> delete string.punctuation -> \b\w+\b (SEED.md mistake 3 reproduced on purpose)
    assert notebook("A film.<br /><br />The end") == ["a", "filmbr", "br", "the", "end"]
    assert notebook("Don't stop") == ["dont", "stop"]


def test_words_never_joins_words_across_punctuation():
    assert words("film.<br /><br />The end") == ["film", "the", "end"]
    assert words("good,bad;ugly...really<BR>Yes<br/>no") == ["good", "bad", "ugly", "really", "yes", "no"]


def test_words_keeps_apostrophes_inside_words_and_unicode_letters():
    assert words("Amélie's café—GREAT! don't") == ["amélie's", "café", "great", "don't"]
    assert words("東京 ✓ naïve 3.5/10 snake_case") == ["東京", "naïve", "3", "5", "10", "snake", "case"]


def test_empty_text_gives_no_tokens():
    for tok in TOKENIZERS.values():
        assert tok("") == []


def test_get_tokenizer_by_name_and_unknown_name():
    assert get_tokenizer("words") is words
    with pytest.raises(FastbowError, match="unknown tokenizer 'spacy'; choose one of: whitespace, notebook, words"):
        get_tokenizer("spacy")


def _unicode_rule(text):
    """The words rule without the ASCII fast path."""
    import unicodedata

    from fastbow.data.tokenize import _APOSTROPHE, _BR, _WORD
    return _WORD.findall(unicodedata.normalize("NFC", _APOSTROPHE.sub("'", _BR.sub(" ", text))).lower())


def test_ascii_fast_path_gives_the_unicode_patterns_tokens():
    import random

    rng = random.Random(0)
    alphabet = "abcXYZ019 _'`.,!?-<>/\n\t\""
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert text.isascii() and words(text) == _unicode_rule(text), text
    assert words("it's A_b 'quoted' x''y don`t") == ["it's", "a", "b", "quoted", "x", "y", "don't"]


# issue 10, item 1: combining marks belong to their word; one spelling per word


def test_words_keeps_combining_vowel_signs_in_their_word():
    # Devanagari: "bura" (bad) and "bora" (sack) used to become the same tokens ['ब', 'र'] twice
    assert words("बुरा बोरा") == ["बुरा", "बोरा"]
    assert words("फ़िल्म अच्छी थी।") == ["फ़िल्म", "अच्छी", "थी"]  # virama and nukta stay inside; danda separates
    assert words("খারাপ, ভালো!") == ["খারাপ", "ভালো"]  # Bengali
    assert words("หนังดีมาก แย่") == ["หนังดีมาก", "แย่"]  # Thai: no spaces inside a phrase, marks kept
    assert words("Cafe\u0301 nai\u0308ve") == ["café", "naïve"]  # decomposed Latin, composed by NFC


def test_words_gives_one_token_per_spelling_of_a_word():
    import unicodedata
    s = "Amélie’s CAFÉ l´amour O‘Hara it`s ｘ"
    assert words(unicodedata.normalize("NFD", s)) == words(s) == ["amélie's", "café", "l'amour", "o'hara", "it's", "ｘ"]
    assert words("می\u200cخواهم") == ["می\u200cخواهم"]  # Persian: a zero-width non-joiner stays inside the word
    assert words("\u0301x ' '") == ["x"]  # a mark with no letter before it, and lone apostrophes, are no word


def test_words_version_is_in_the_cache_key():
    from fastbow.data.prepare import cache_key
    from fastbow.data.tokenize import VERSIONS, version_tag
    assert VERSIONS["words"] == 2 and version_tag("words") == "words@v2" and version_tag("notebook") == "notebook"
    assert cache_key("fp", "words", 10) != cache_key("fp", "whitespace", 10)
    # notebook and whitespace stay bug-compatible: no version bump, so their caches stay valid
    import hashlib
    assert cache_key("fp", "notebook", 10) == hashlib.sha256(b"1|fp|notebook|10").hexdigest()[:24]
    assert notebook("बुरा") == ["ब", "र"] and whitespace("a\u0301 b") == ["a\u0301", "b"]
