"""python -m fastbow.predict on tables: one output per input, in order, ids passed through; CSV/JSONL output,
--top-k, --threshold; and the library parts (fastbow.data.text_table, fastbow.evaluation.predictions)."""
import csv
import io
import json

import numpy as np
import pytest
from corpus import make_corpus, train_small

from fastbow.data.text_table import read_texts
from fastbow.errors import DataError, FastbowError
from fastbow.evaluation.predictions import decide, prediction_records, top_k
from fastbow.predict import main

POS, NEG = "A great, wonderful film: the best!", "Awful and boring, the worst waste of time."


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("predict-tables")
    corpus = make_corpus(root, n_per_class=60)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FASTBOW_CACHE_DIR", str(root / "cache"))
        assert train_small(corpus, root / "run") == 0
    return root / "run"


MULTILINE_CSV = (
    'id,review,extra\n'
    f'r7,"{POS}\nSecond line, with a comma.\n\nAnd a blank line inside the quotes.",x\n'
    '\n'                                    # a blank line between records: not a record
    f'r2,"{NEG}",y\n'
    'r9,"",z\n'                             # an empty text is still one input
    f'r1,"He said ""great"", then\nthe best, wonderful",w\n'
)


def test_multiline_quoted_csv_gives_one_output_per_input_in_order(run, tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text(MULTILINE_CSV, encoding="utf-8")
    out = tmp_path / "pred.csv"
    assert main(["--model", str(run), "--file", str(src), "--text-column", "review", "--id-column", "id",
                 "--output", str(out), "--batch-size", "2"]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["id"] for r in rows] == ["r7", "r2", "r9", "r1"]
    assert [r["label"] for r in rows] == ["pos", "neg", "", "pos"]  # r9's text is empty: flagged, not scored
    assert rows[2]["p_neg"] == rows[2]["p_pos"] == ""
    rows = [r for r in rows if r["label"]]
    assert list(rows[0]) == ["id", "label", "probability", "p_neg", "p_pos"]
    for r in rows:
        assert float(r["p_neg"]) + float(r["p_pos"]) == pytest.approx(1, abs=2e-6)
        assert float(r["probability"]) == float(r["p_" + r["label"]])
    assert "wrote 4 predictions" in capsys.readouterr().err


def test_jsonl_input_and_output_with_top_k_and_row_numbers(run, tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps({"text": t, "n": i}) for i, t in enumerate([NEG, POS, NEG])) + "\n")
    assert main(["--model", str(run), "--file", str(src), "--json", "--top-k", "2"]) == 0
    recs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in recs] == [1, 2, 3] and [r["label"] for r in recs] == ["neg", "pos", "neg"]
    assert [t["label"] for t in recs[1]["top_k"]] == ["pos", "neg"]
    assert main(["--model", str(run), "--file", str(src), "--id-column", "n", "--output", str(tmp_path / "o.jsonl")]) == 0
    assert [json.loads(x)["id"] for x in (tmp_path / "o.jsonl").read_text().splitlines()] == [0, 1, 2]


def test_threshold_moves_the_binary_decision(run, capsys):
    assert main(["--model", str(run), "--json", "--threshold", "0.0", NEG]) == 0
    assert json.loads(capsys.readouterr().out)["label"] == "pos"  # P(pos) >= 0 always
    assert main(["--model", str(run), "--json", "--threshold", "1.0", POS]) == 0
    assert json.loads(capsys.readouterr().out)["label"] == "neg"


def test_text_output_starts_with_the_id(run, tmp_path, capsys):
    src = tmp_path / "in.tsv"
    src.write_text(f"key\ttext\na\t{POS}\nb\t{NEG}\n")
    assert main(["--model", str(run), "--file", str(src), "--id-column", "key"]) == 0
    assert [line.split("\t")[:2] for line in capsys.readouterr().out.splitlines()] == [["a", "pos"], ["b", "neg"]]


def test_errors_are_one_line(run, tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text(f'text\n"{POS}"\n')
    assert main(["--model", str(run), "--file", str(src), "--id-column", "id"]) == 2
    assert "has no column 'id' (columns: 'text'); pass --id-column NAME" in capsys.readouterr().err
    assert main(["--model", str(run), "--file", str(src), "--output", str(tmp_path / "o.txt")]) == 2
    assert "should end in .csv or .jsonl" in capsys.readouterr().err
    assert main(["--model", str(run), POS, "--id-column", "id"]) == 2
    assert "apply to a table --file" in capsys.readouterr().err
    assert main(["--model", str(run), POS, "--top-k", "3"]) == 2
    assert "--top-k should be an integer in [1, 2] (the number of classes), but got --top-k 3" in capsys.readouterr().err


def test_read_texts_keeps_record_lines_and_bom(tmp_path):
    p = tmp_path / "t.csv"
    p.write_bytes(b'\xef\xbb\xbfid,text\n1,"a\nb"\n\n2,c\n')
    rows = read_texts(p, id_column="id")
    assert rows.texts == ["a\nb", "c"] and rows.ids == ["1", "2"] and rows.where == ["t.csv:2", "t.csv:5"]
    p.write_text("id,text\n1,a,extra\n")
    with pytest.raises(DataError, match="line 2 has 3 fields but the header has 2"):
        read_texts(p)


def test_decisions_and_top_k():
    probs = np.array([[0.5, 0.5], [0.2, 0.8], [0.9, 0.1]], dtype=np.float32)
    assert decide(probs).tolist() == [0, 1, 0]                       # a tie goes to the lower class
    assert decide(probs, 0.15).tolist() == [1, 1, 0]
    assert top_k(np.array([[0.2, 0.5, 0.3]]), 3).tolist() == [[1, 2, 0]]
    with pytest.raises(FastbowError, match="two-class models"):
        decide(np.full((1, 3), 1 / 3), 0.5)
    recs = prediction_records(probs, ["neg", "pos"], ["x", "y", "z"], k=1)
    assert recs[1] == {"id": "y", "label": "pos", "probability": pytest.approx(0.8),
                       "probabilities": {"neg": pytest.approx(0.2), "pos": pytest.approx(0.8)},
                       "top_k": [{"label": "pos", "probability": pytest.approx(0.8)}]}
