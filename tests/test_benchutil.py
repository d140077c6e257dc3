"""benchmarks/benchutil.py: ranges over rounds, ratio ranges, and verdicts that say "met" only when the worse end
of the range meets the target (issue 14: no verdict within the noise is called met)."""
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import benchutil  # noqa: E402
from benchutil import (  # noqa: E402
    judge,
    merge_runs,
    ratio_range,
    record,
    spread,
    summary_markdown,
    target_line,
)


@pytest.mark.parametrize("low, high, target, higher, verdict", [
    (12.8, 16.6, 15, True, "within noise"),     # straddles: some runs meet 15x, some do not
    (15.0, 16.6, 15, True, "met"),              # the worse end is exactly on the target
    (15.1, 16.6, 15, True, "met"),
    (12.8, 14.9, 15, True, "MISSED"),
    (0.95, 1.02, 1.0, False, "within noise"),   # scatter / notebook-dense epoch: 0.96 in one run, 1.02 in another
    (0.95, 1.00, 1.0, False, "met"),
    (1.01, 1.10, 1.0, False, "MISSED"),
    (0.46, 1.10, 0.5, False, "within noise"),   # two-process preparation, 0.46x to 1.10x
    (0.30, 0.30, 0.3, False, "met"),
])
def test_judge_calls_met_only_when_the_worse_end_meets_the_target(low, high, target, higher, verdict):
    assert judge(low, high, target, higher_is_better=higher) == verdict


def test_judge_rejects_an_inverted_range():
    with pytest.raises(ValueError, match="the range should have low <= high, but got low=2 and high=1"):
        judge(2, 1, 1.5, higher_is_better=True)


def test_spread_of_rounds():
    s = spread([3.0, 1.0, 2.0, 10.0])
    assert s == {"median_s": 2.5, "min_s": 1.0, "max_s": 10.0, "rounds": 4, "rounds_s": [1.0, 2.0, 3.0, 10.0]}
    assert spread([4.0])["median_s"] == 4.0
    with pytest.raises(ValueError, match="no rounds were timed"):
        spread([])


def test_ratio_range_is_the_widest_the_unpaired_rounds_allow():
    num, den = spread([1.0, 2.0, 4.0]), spread([8.0, 10.0, 20.0])
    assert ratio_range(num, den) == (2.0 / 10.0, 1.0 / 20.0, 4.0 / 8.0)


def fake_benchmark(data):
    return SimpleNamespace(stats=SimpleNamespace(stats=SimpleNamespace(data=list(data))), extra_info={})


def test_record_keeps_every_round_scaled_and_per_call():
    results = {}
    bm = fake_benchmark([0.2, 0.4, 0.3])
    record(results, "c", "scatter", bm, per=2, scale=10, state_bytes=5, note="n")
    row = results["c"]["scatter"]
    assert row["rounds_s"] == pytest.approx([1.0, 1.5, 2.0]) and row["median_s"] == pytest.approx(1.5)
    assert (row["min_s"], row["max_s"], row["rounds"]) == (pytest.approx(1.0), pytest.approx(2.0), 3)
    assert row["state_bytes"] == 5 and row["note"] == "n"
    assert bm.extra_info["median_s"] == pytest.approx(1.5) and "rounds_s" not in bm.extra_info


def test_record_does_nothing_in_smoke_mode():
    results = {}
    record(results, "a", "x", SimpleNamespace(stats=None, extra_info={}))
    assert results == {}


def test_target_line_shows_median_range_rounds_and_verdict():
    line = target_line("warm ≤ 0.3 s", 0.04, 0.035, 0.31, 0.3, higher_is_better=False, fmt="{:.3f} s", rounds=7)
    assert line == "- target warm ≤ 0.3 s: 0.040 s (range 0.035 s–0.310 s, 7 rounds) — within noise"
    assert target_line("x", 16.0, 15.5, 17.0, 15, higher_is_better=True, fmt="{:.1f}×").endswith(
        "16.0× (range 15.5×–17.0×) — met")


def row(rounds, **fields):
    return {**spread(rounds), **fields}


def results_straddling_targets():
    return {
        "a": {"texts->CSR fastbow, 2 processes": row([2.9, 3.0, 6.9]),
              "texts->CSR CountVectorizer": row([6.3, 6.4, 6.5]),
              "warm (cache hit)": row([0.03, 0.04, 0.05])},
        "c": {"notebook-dense": row([7.0, 7.3, 7.4], state_bytes=2_000_000_000),
              "scatter": row([6.9, 7.0, 7.5], state_bytes=14_000_000),
              "sparse": row([0.45, 0.5, 0.56], state_bytes=14_000_000)},
        "b": {"notebook-dense": row([0.0012, 0.0013], gbps=16.9), "numba": row([0.0002, 0.0003], gbps=48.3)},
    }


def test_summary_never_calls_a_straddling_target_met():
    text = summary_markdown(results_straddling_targets(), {"device": "cpu"})
    lines = {ln.split(":")[0]: ln for ln in text.splitlines() if ln.startswith("- target")}
    assert lines["- target cold ≤ 0.5× CountVectorizer, reading outside both (2 processes)"].endswith(
        "0.47× (range 0.45×–1.10×) — within noise")
    assert lines["- target warm ≤ 0.3 s"].endswith("0.040 s (range 0.030 s–0.050 s, 3 rounds) — met")
    scatter = next(ln for ln in text.splitlines() if ln.startswith("- target scatter epoch"))
    assert scatter.endswith("0.96 (range 0.93–1.07) — within noise") and "1/143, target ≤ 1/50: met" in scatter
    fastest = next(ln for ln in text.splitlines() if ln.startswith("- target fastest (sparse) ≥ 15×"))
    assert fastest.endswith("14.6× (range 12.5×–16.4×) — within noise")
    assert "| scatter | 7.00 (6.90–7.50) | 1.0× (0.9–1.1) |" in text
    assert "| numba | 0.250 (0.200–0.300) | 48.30 | 5.0× (4.0–6.5) |" in text


def test_merge_runs_pools_rounds_and_main_prints_the_pooled_tables(tmp_path, capsys):
    r1 = {"c": {"notebook-dense": row([7.0, 7.2], state_bytes=2), "scatter": row([6.8, 7.0], state_bytes=1)}}
    r2 = {"c": {"notebook-dense": row([7.4], state_bytes=2), "scatter": row([7.6], state_bytes=1)}}
    merged = merge_runs([r1, r2])
    assert merged["c"]["scatter"]["rounds_s"] == [6.8, 7.0, 7.6] and merged["c"]["scatter"]["median_s"] == 7.0
    old = {"c": {"notebook-dense": {"median_s": 7.3, "min_s": 7.1, "max_s": 7.5, "state_bytes": 2}}}
    assert merge_runs([old])["c"]["notebook-dense"]["rounds_s"] == [7.1, 7.3, 7.5]   # rows saved without rounds
    for i, r in enumerate((r1, r2)):
        (tmp_path / f"{i}.json").write_text(json.dumps({"info": {"device": "cpu", "date": f"d{i}"}, "results": r}))
    assert benchutil.main([str(tmp_path / "0.json"), str(tmp_path / "1.json")]) == 0
    out = capsys.readouterr().out
    assert "2 runs pooled, the last on d1" in out and "| scatter | 7.00 (6.80–7.60) |" in out
    assert "scatter epoch / notebook-dense epoch ≤ 1" in out and "— within noise" in out
