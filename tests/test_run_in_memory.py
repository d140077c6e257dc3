"""fastbow.training.run.run_prepared in memory (what BowClassifier calls): no folder, no files, no test split."""
import pytest
from synthetic import make_texts

from fastbow.data.memory import encode_labels, prepare_texts
from fastbow.errors import FastbowError
from fastbow.training.run import TrainConfig, run_prepared


@pytest.fixture(scope="module")
def prepared():
    texts, labels = make_texts(20)
    ids, classes = encode_labels(labels)
    return prepare_texts(texts, ids, classes=classes.tolist(), vocab_size=20)


def test_writes_nothing_and_hands_back_the_model(prepared, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    trained = {}
    cfg = TrainConfig(out=None, save_model=False, progress=False, epochs=2, hidden=8, batch_size=8, device="cpu")
    result = run_prepared(cfg, prepared, trained=trained)
    assert list(tmp_path.iterdir()) == []
    assert set(trained) == {"model", "optimizer", "config"} and trained["config"]["out"] is None
    assert result["rows"] == {"train": 40, "test": 0} and "turn" in result
    assert not any(k.startswith("test_") for e in result["epochs"] for k in e)


def test_saving_a_model_needs_a_folder(prepared):
    with pytest.raises(FastbowError, match=r"a run in memory \(out=None\) writes no files; pass save_model=False"):
        run_prepared(TrainConfig(out=None, progress=False, epochs=1, device="cpu"), prepared)
