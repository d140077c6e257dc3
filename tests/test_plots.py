import math

from fastbow.reporting.plots import curve_series, plot_curves, plot_sweep

PNG = b"\x89PNG\r\n\x1a\n"


def epochs(n=5):
    return [{"epoch": e, "train_loss": 1 / e, "train_perplexity": math.exp(1 / e), "train_eval_loss": 0.5 / e,
             "train_eval_perplexity": math.exp(0.5 / e), "val_loss": 0.3 + (e - 3) ** 2 / 10,
             "val_perplexity": math.exp(0.3 + (e - 3) ** 2 / 10), "test_loss": 0.3 + (e - 3) ** 2 / 9,
             "test_perplexity": math.exp(0.3 + (e - 3) ** 2 / 9)} for e in range(1, n + 1)]


def test_curve_series_prefers_the_end_of_epoch_train_evaluation():
    s = curve_series(epochs(3), "loss")
    assert set(s) == {"train", "val", "test"} and s["train"] == [0.5, 0.25, 0.5 / 3]
    bare = [{k: v for k, v in e.items() if not k.startswith(("train_eval", "val"))} for e in epochs(3)]
    assert curve_series(bare, "perplexity")["train"] == [e["train_perplexity"] for e in bare]


def test_plots_are_complete_pngs_and_leave_no_temporary_files(tmp_path):
    plot_curves(epochs(), tmp_path / "curves.png", best_epoch=3, title="t")
    summary = [{"value": v, "label": str(v), "n": 2, "val_accuracy_mean": 0.8, "val_accuracy_std": 0.01,
                "test_accuracy_mean": 0.79, "test_accuracy_std": 0.02, "train_time_s_mean": 3.0,
                "train_time_s_std": 0.1} for v in (16, 128)]
    plot_sweep("batch-size", summary, tmp_path / "bs.png")
    plot_sweep("lr", [dict(s, value=v) for s, v in zip(summary, (1e-3, 1e-2))], tmp_path / "lr.png")
    plot_sweep("shuffle", [dict(s, value=v) for s, v in zip(summary, (False, True))], tmp_path / "sh.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bs.png", "curves.png", "lr.png", "sh.png"]
    assert all(p.read_bytes().startswith(PNG) and p.stat().st_size > 5000 for p in tmp_path.iterdir())
