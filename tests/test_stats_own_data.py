"""python -m fastbow.stats and profile on own data: bare tables, tables with a test split, any class folder names."""
import json

import pytest
from corpus import make_corpus

from fastbow.profile import main as profile_main
from fastbow.stats import main as stats_main

TABLE = ("id,review,topic\n"
         '1,"the cat sat",pets\n'
         '2,"the dog, the dog",pets\n'
         "3,goal for the team,sport\n"
         '4,"match\nmatch goal",sport\n'
         "5,the vote,politics\n")


def _stats(capsys, *argv):
    assert stats_main([*argv, "--json", "--no-cache"]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_bare_table_is_one_train_split_with_hand_computed_figures(tmp_path, capsys):
    (tmp_path / "t.csv").write_text(TABLE)
    st = _stats(capsys, "--data", str(tmp_path / "t.csv"), "--text-column", "review", "--label-column", "topic",
                "--vocab-size", "3")
    assert st["classes"] == ["pets", "politics", "sport"] and list(st["splits"]) == ["train"]
    tr = st["splits"]["train"]
    assert tr["per_class"] == {"pets": 2, "politics": 1, "sport": 2} and tr["n_docs"] == 5
    # tokens: 3 + 4 + 4 + 3 + 2 = 16; distinct per doc 3 + 2 + 4 + 2 + 2 = 13
    assert tr["n_tokens"] == 16 and tr["mean_tokens"] == pytest.approx(16 / 5)
    assert tr["mean_distinct_tokens"] == pytest.approx(13 / 5)
    # vocabulary K=3: the 5, dog 2, goal 2 (ties by token); 'match' (2) is cut, as are the 5 singletons
    assert st["most_frequent"][:3] == [["the", 5], ["dog", 2], ["goal", 2]]
    assert tr["oov_distinct"] == 6 and tr["oov_occurrences"] == 16 - 9
    assert tr["docs_with_oov"] == 4   # all but "the dog, the dog"


def test_a_table_with_test_fraction_and_text_report(tmp_path, capsys):
    (tmp_path / "t.jsonl").write_text("\n".join(json.dumps({"text": f"word{i % 3} common", "label": f"c{i % 2}"})
                                                 for i in range(20)) + "\n")
    st = _stats(capsys, "--data", str(tmp_path / "t.jsonl"), "--test-fraction", "0.2")
    assert st["splits"]["train"]["n_docs"] == 16 and st["splits"]["test"]["n_docs"] == 4
    assert stats_main(["--data", str(tmp_path / "t.jsonl"), "--compare", "words,whitespace", "--no-cache"]) == 0
    out = capsys.readouterr().out
    assert "train: documents with an OOV token" in out and "test:" not in out


def test_folder_with_any_class_names(tmp_path, capsys):
    corpus = make_corpus(tmp_path, n_per_class=4, classes=("neutral", "pos", "neg"))
    st = _stats(capsys, "--data", str(corpus), "--vocab-size", "10")
    assert st["classes"] == ["neg", "neutral", "pos"]
    assert st["splits"]["test"]["per_class"] == {"neg": 4, "neutral": 4, "pos": 4}


def test_profile_on_a_bare_table(tmp_path, capsys):
    rows = ["text,label"] + [f"{'good great' if i % 2 else 'bad awful'} film {i},{i % 2}" for i in range(40)]
    (tmp_path / "t.csv").write_text("\n".join(rows) + "\n")
    assert profile_main(["--data", str(tmp_path / "t.csv"), "--batches", "2", "--warmup", "0", "--batch-size", "8",
                         "--hidden", "4", "--device", "cpu", "--json", "--no-cache"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["samples"] == 16 and r["batch_size"] == 8
    assert profile_main(["--data", str(tmp_path / "t.csv"), "--pipeline", "notebook-naive", "--batches", "1",
                         "--warmup", "0", "--batch-size", "8", "--hidden", "4", "--device", "cpu", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["pipeline"] == "notebook-naive"
