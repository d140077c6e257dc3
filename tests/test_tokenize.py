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


def test_ascii_fast_path_gives_the_unicode_patterns_tokens():
    import random

    from fastbow.data.tokenize import _BR, _WORD
    rng = random.Random(0)
    alphabet = "abcXYZ019 _'.,!?-<>/\n\t\"" + "é’"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        slow = _WORD.findall(_BR.sub(" ", text).lower())
        assert words(text) == slow, text
    assert words("it's A_b 'quoted' x''y") == ["it's", "a", "b", "quoted", "x", "y"]
