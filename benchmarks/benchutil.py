"""Helpers shared by the benchmark groups: device, batches, bytes moved, result tables.

Nothing here is timed; the ``test_*.py`` files time with pytest-benchmark and
hand their rounds to :func:`record`, and ``conftest.py`` prints the tables
(:func:`summary_markdown`) at the end of ``pytest --benchmark-only``. Every
figure is a median with its range over the rounds, and a target is "met" only
when the worse end of the range meets it (:func:`judge`, :func:`target_line`).
"""
from __future__ import annotations

import os
import platform
import subprocess
import time

import numpy as np
import torch

PHASES = ("data", "transfer", "forward", "backward", "optimizer")
BASELINE = "notebook-dense"


def bench_device() -> torch.device:
    """``$FASTBOW_BENCH_DEVICE`` if set, else CUDA when available, else the CPU."""
    name = os.environ.get("FASTBOW_BENCH_DEVICE")
    if name:
        return torch.device(name)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def sync(device: torch.device) -> None:
    """Wait for queued CUDA work (a host–device sync point); no-op on the CPU."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def batch_rows(n_docs: int, batch_size: int, k: int, seed: int = 0) -> list[torch.Tensor]:
    """``k`` batches of distinct random rows, ``(B,) int64`` CPU tensors (the same for every method)."""
    g = torch.Generator().manual_seed(seed)
    order = torch.randperm(n_docs, generator=g)
    reps = -(-k * batch_size // n_docs)
    order = torch.cat([order] * reps) if reps > 1 else order
    return [order[i * batch_size:(i + 1) * batch_size].clone() for i in range(k)]


def moved_bytes(method: str, batch_size: int, n_features: int, mean_nnz: float) -> float:
    """Bytes a materialization method must write and read for one batch (b′ bandwidth).

    Args:
        method (str): ``notebook-naive``, ``notebook-dense``, ``numba``, ``torch``, ``triton`` or ``sparse``.
        batch_size (int): B.
        n_features (int): V + 1.
        mean_nnz (float): mean ids per batch (sum of the B rows' lengths).

    Conventions (float32 batch, int32 ids, int64 row ids and indptr):

    * scatter kernels: write the whole ``(B, V+1)`` batch once, read the batch's ids,
      the two ``indptr`` entries per row and the row ids;
    * ``notebook-dense``: ``torch.stack`` reads B stored rows and writes the batch;
    * ``notebook-naive``: zero-fills B fresh rows, then the stack reads and writes them (3×);
    * ``sparse``: reads the ids, ``indptr`` and row ids and writes the ids and offsets again.
    """
    dense = batch_size * n_features * 4.0
    csr_in = mean_nnz * 4 + batch_size * (2 * 8 + 8)
    return {
        "notebook-naive": 3 * dense,
        "notebook-dense": 2 * dense,
        "numba": dense + csr_in,
        "torch": dense + csr_in,
        "triton": dense + csr_in,
        "sparse": csr_in + mean_nnz * 4 + batch_size * 4,
    }[method]


def machine() -> dict:
    """Where the run happened: CPU model, cores, torch version and threads, GPU, load average."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        model = next((ln.split(":", 1)[1].strip() for ln in out.splitlines() if ln.startswith("Model name")), "")
    except (OSError, subprocess.SubprocessError):
        model = platform.processor()
    info = {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "cpu": model, "cores": os.cpu_count(),
            "torch": torch.__version__, "threads": torch.get_num_threads(), "python": platform.python_version(),
            "numba_threads": __import__("numba").get_num_threads(),
            "load_avg_1min": round(os.getloadavg()[0], 2)}
    if torch.cuda.is_available():
        info["gpu"] = torch.cuda.get_device_name()
    return info


def spread(rounds_s) -> dict:
    """``{"median_s", "min_s", "max_s", "rounds", "rounds_s"}`` of a list of per-round seconds.

    Raises:
        ValueError: ``rounds_s`` is empty.
    """
    xs = sorted(float(x) for x in rounds_s)
    if not xs:
        raise ValueError("no rounds were timed; run the benchmark with --benchmark-only")
    return {"median_s": float(np.median(xs)), "min_s": xs[0], "max_s": xs[-1], "rounds": len(xs), "rounds_s": xs}


def record(results: dict, group: str, name: str, benchmark, *, per: float = 1.0, scale: float = 1.0,
           **fields) -> None:
    """Store ``benchmark``'s rounds under ``results[group][name]``: median, min, max and every round.

    Each round's seconds are multiplied by ``scale / per`` (``per``: calls per round, e.g. batches;
    ``scale``: extrapolation, e.g. an epoch timed on 16 of its 196 batches). The range
    (``min_s``..``max_s``) is what :func:`judge` and :func:`target_line` read. Does nothing when
    pytest-benchmark did not time the call (smoke mode: ``--benchmark-disable``).
    """
    if not benchmark.stats:
        return
    row = spread(x * scale / per for x in benchmark.stats.stats.data)
    row.update(fields)
    benchmark.extra_info.update({k: v for k, v in row.items() if isinstance(v, (int, float, str))})
    results.setdefault(group, {})[name] = row


def ratio_range(num: dict, den: dict) -> tuple[float, float, float]:
    """``(median, low, high)`` of ``num / den`` for two :func:`record` rows.

    The rounds of two benchmarks are not paired, so the range is the widest the rounds allow:
    ``low = num.min / den.max`` and ``high = num.max / den.min``; the median is
    ``num.median / den.median``.
    """
    return num["median_s"] / den["median_s"], num["min_s"] / den["max_s"], num["max_s"] / den["min_s"]


def judge(low: float, high: float, target: float, *, higher_is_better: bool) -> str:
    """Verdict on a measured range against a target: ``"met"``, ``"MISSED"`` or ``"within noise"``.

    ``"met"`` only when the WORSE end of ``[low, high]`` meets the target (``>=`` it when higher is
    better, ``<=`` it otherwise); ``"MISSED"`` when even the better end misses; ``"within noise"``
    when the range straddles the target (some rounds meet it, some do not): not met.

    Raises:
        ValueError: ``low > high``.

    Example:
        >>> judge(12.8, 16.6, 15, higher_is_better=True), judge(0.95, 1.02, 1.0, higher_is_better=False)
        ('within noise', 'within noise')
    """
    if low > high:
        raise ValueError(f"the range should have low <= high, but got low={low} and high={high}")
    worse, better = (low, high) if higher_is_better else (high, low)
    meets = (lambda x: x >= target) if higher_is_better else (lambda x: x <= target)
    if meets(worse):
        return "met"
    return "within noise" if meets(better) else "MISSED"


def target_line(label: str, median: float, low: float, high: float, target: float, *, higher_is_better: bool,
                fmt: str = "{:.2f}", rounds: int | None = None) -> str:
    """One Markdown bullet: ``- target LABEL: MEDIAN (range LOW–HIGH[, N rounds]) — VERDICT``.

    Any benchmark group can use it with :func:`record` rows (``row["median_s"]``, ``row["min_s"]``,
    ``row["max_s"]``) or with :func:`ratio_range`.
    """
    n = f", {rounds} rounds" if rounds else ""
    return (f"- target {label}: {fmt.format(median)} (range {fmt.format(low)}–{fmt.format(high)}{n}) — "
            f"{judge(low, high, target, higher_is_better=higher_is_better)}")


def merge_runs(runs: list[dict]) -> dict:
    """The ``results`` of several runs of the same groups, each row's rounds pooled (see :func:`spread`).

    Fields other than the timings come from the last run that has the row. Rows saved before
    rounds were kept (no ``rounds_s``) contribute their min, median and max.
    """
    merged: dict = {}
    for res in runs:
        for group, rows in res.items():
            for name, row in rows.items():
                rounds = row.get("rounds_s") or [row["min_s"], row["median_s"], row["max_s"]]
                old = merged.setdefault(group, {}).get(name)
                pooled = (old["rounds_s"] if old else []) + list(rounds)
                merged[group][name] = {**row, **spread(pooled)}
    return merged


def _fmt_s(s: float) -> str:
    return f"{s * 1e3:.2f} ms" if s < 1 else f"{s:.2f} s"


def _table(header, rows) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return out


def summary_markdown(results: dict, info: dict) -> str:
    """The comparison tables (groups a, b/b′, c, d, e) and the target checks, as Markdown."""
    lines = [f"Machine: {info.get('cpu')} ({info.get('cores')} cores), torch {info.get('torch')} "
             f"({info.get('threads')} threads), Python {info.get('python')}"
             + (f", GPU {info['gpu']}" if info.get("gpu") else "")
             + f"; device {info.get('device')}; {info.get('date')}; 1-min load average "
               f"{info.get('load_avg_1min')} at start, {info.get('load_avg_end', '?')} at end.", ""]
    a = results.get("a", {})
    if a:
        cv_t, cv_a = a.get("texts->CSR CountVectorizer"), a.get("archive->CSR CountVectorizer (read+fit)")
        rows = []
        for name, r in a.items():
            ref = cv_a if name.startswith("archive") else cv_t if name.startswith("texts") else None
            ratio = "{:.2f}× ({:.2f}–{:.2f})".format(*ratio_range(r, ref)) if ref else ""
            rows.append((name, f"{_fmt_s(r['median_s'])} ({_fmt_s(r['min_s'])}–{_fmt_s(r['max_s'])})", ratio,
                         r.get("note", "")))
        lines += ["### a. Preparation (train + test, 25,000 + 25,000 reviews)", ""]
        lines += _table(("step", "median (range)", "vs CountVectorizer (range)", "note"), rows) + [""]
        fa, warm = a.get("archive->CSR fastbow cold"), a.get("warm (cache hit)")
        for name in ("texts->CSR fastbow, 2 processes", "texts->CSR fastbow, 1 process"):
            if name in a and cv_t:
                lines.append(target_line(f"cold ≤ 0.5× CountVectorizer, reading outside both "
                                         f"({name.split(', ')[1]})", *ratio_range(a[name], cv_t), 0.5,
                                         higher_is_better=False, fmt="{:.2f}×"))
        if fa and cv_a:
            lines.append(target_line("cold ≤ 0.5× CountVectorizer, reading the archive inside both",
                                     *ratio_range(fa, cv_a), 0.5, higher_is_better=False, fmt="{:.2f}×"))
        if warm:
            lines.append(target_line("warm ≤ 0.3 s", warm["median_s"], warm["min_s"], warm["max_s"], 0.3,
                                     higher_is_better=False, fmt="{:.3f} s", rounds=warm["rounds"]))
        lines.append("")
    b = results.get("b", {})
    if b:
        ref = b.get(BASELINE)
        rows = [(n, f"{r['median_s'] * 1e3:.3f} ({r['min_s'] * 1e3:.3f}–{r['max_s'] * 1e3:.3f})", f"{r['gbps']:.2f}",
                 "{:.1f}× ({:.1f}–{:.1f})".format(*ratio_range(ref, r)) if ref else "", r.get("note", ""))
                for n, r in b.items()]
        lines += [f"### b / b′. Batch materialization (B = {info.get('batch_size')}, V + 1 = {info.get('n_features')})", ""]
        lines += _table(("method", "ms/batch, median (range)", "GB/s (b′, median)", "speed-up vs notebook-dense (range)",
                         "note"), rows)
        lines.append("")
    c = results.get("c", {})
    if c:
        ref = c.get(BASELINE)
        rows = []
        for n, r in c.items():
            sp = "{:.1f}× ({:.1f}–{:.1f})".format(*ratio_range(ref, r)) if ref else ""
            mem = f"1/{ref['state_bytes'] / r['state_bytes']:.0f}" if ref and r["state_bytes"] < ref["state_bytes"] else (
                "1" if ref and r["state_bytes"] == ref["state_bytes"] else
                f"{r['state_bytes'] / ref['state_bytes']:.2f}" if ref else "")
            rows.append((n, f"{r['median_s']:.2f} ({r['min_s']:.2f}–{r['max_s']:.2f})", sp,
                         f"{r['state_bytes'] / 1e6:,.0f} MB", mem, r.get("note", "")))
        lines += ["### c. One training epoch on IMDB train (B = 128, same initial weights, optimizer and seed)", ""]
        lines += _table(("pipeline", "epoch s, median (range)", "speed-up vs notebook-dense (range)", "dataset in host RAM",
                         "vs notebook-dense", "note"), rows) + [""]
        if ref:
            fastbow = {n: r for n, r in c.items() if n.startswith(("scatter", "sparse", "fused"))}
            if fastbow:
                best_name, best = min(fastbow.items(), key=lambda kv: kv[1]["median_s"])
                lines.append(target_line(f"fastest ({best_name}) ≥ 15× notebook-dense", *ratio_range(ref, best), 15,
                                         higher_is_better=True, fmt="{:.1f}×"))
                naive = c.get("notebook-naive")
                if naive:
                    lines.append(target_line(f"fastest ({best_name}) ≥ 80× notebook per-item",
                                             *ratio_range(naive, best), 80, higher_is_better=True, fmt="{:.0f}×"))
            default = c.get("fused (adam)")  # the CPU default run's step: --input auto, Adam (issue 9)
            if default:
                lines.append(target_line("default epoch (fused, adam) ≥ 15× notebook-dense", *ratio_range(ref, default),
                                         15, higher_is_better=True, fmt="{:.1f}×"))
                naive = c.get("notebook-naive")
                if naive:
                    lines.append(target_line("default epoch ≥ 80× notebook per-item", *ratio_range(naive, default), 80,
                                             higher_is_better=True, fmt="{:.0f}×"))
            if str(info.get("device", "")).startswith("cuda"):
                for n, limit in (("sparse", 0.010), ("scatter", 0.020)):
                    if n in c:
                        r = c[n]
                        lines.append(target_line(f"GPU {n} epoch ≤ {limit * 1e3:.0f} ms", 1e3 * r["median_s"],
                                                 1e3 * r["min_s"], 1e3 * r["max_s"], 1e3 * limit,
                                                 higher_is_better=False, fmt="{:.1f} ms", rounds=r["rounds"]))
            sc = c.get("scatter")
            if sc:
                mem = ref["state_bytes"] / sc["state_bytes"]
                lines.append(target_line(f"scatter epoch / notebook-dense epoch ≤ 1 (memory 1/{mem:.0f}, "
                                         f"target ≤ 1/50: {'met' if mem >= 50 else 'MISSED'})",
                                         *ratio_range(sc, ref), 1.0, higher_is_better=False))
            lines.append("")
    d = results.get("d", {})
    if d:
        rows = []
        for n, r in d.items():
            ms, pct = r["ms_per_batch"], r["percent"]
            rows.append((n, *(f"{ms[p]:.2f} ({pct[p]:.0f}%)" for p in PHASES), f"{ms['total']:.2f}",
                         f"{100 * r['parts_over_wall']:.1f}%", r["bottleneck"]))
        lines += [f"### d. Time split per batch, ms (% of the step), {info.get('profile_batches')} batches after "
                  f"{info.get('profile_warmup')} warm-up", ""]
        lines += _table(("pipeline", *PHASES, "total ms", "parts/wall", "bottleneck"), rows) + [""]
    from e2e import e2e_lines  # group e (benchmarks/e2e.py)

    lines += e2e_lines(results.get("e", {}))
    lines += ngram_markdown(results.get("ng", {}))
    return "\n".join(lines)


def ngram_markdown(ng: dict) -> list[str]:
    """Group ng (issue 12): n-gram preparation against ``TfidfVectorizer(ngram_range=(1, 2))``, target <= 0.5x."""
    ref = ng.get("texts->CSR TfidfVectorizer(1, 2)")
    if not ng:
        return []
    rows = [(name, _fmt_s(r["median_s"]), f"{r['median_s'] / ref['median_s']:.2f}×" if ref else "", r.get("note", ""))
            for name, r in ng.items()]
    lines = ["### ng. n-gram preparation, texts → CSR (train + test)", ""]
    lines += _table(("step", "median", "vs TfidfVectorizer", "note"), rows) + [""]
    mine = ng.get("texts->CSR fastbow 1-2-grams")
    if mine and ref:
        lines += [target_line("n-gram preparation ≤ 0.5× TfidfVectorizer(ngram_range=(1, 2))",
                              *ratio_range(mine, ref), 0.5, higher_is_better=False, fmt="{:.2f}×"), ""]
    return lines


def main(argv=None) -> int:
    """``python benchmarks/benchutil.py [SUMMARY.json ...]``: print the tables of one run, or of several pooled.

    With no argument it reads ``.benchmarks/fastbow-summary.json`` (the last run). With several
    (copies of that file from repeated runs of the same groups), each row's rounds are pooled
    (:func:`merge_runs`), so every range and verdict spans all the runs; the machine line is the last run's.
    """
    import json
    import sys

    argv = sys.argv[1:] if argv is None else argv
    paths = argv or [os.path.join(os.path.dirname(__file__), "..", ".benchmarks", "fastbow-summary.json")]
    runs = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            runs.append(json.load(f))
    results = merge_runs([r["results"] for r in runs]) if len(runs) > 1 else runs[0]["results"]
    info = dict(runs[-1]["info"])
    if len(runs) > 1:
        info["date"] = f"{len(runs)} runs pooled, the last on {info.get('date')}"
    print(summary_markdown(results, info))
    return 0


def mean_batch_distinct_share(indptr: np.ndarray, indices: np.ndarray, batches) -> float:
    """Mean over ``batches`` of (distinct ids in the batch) / (ids in the batch), as a fraction.

    The rows one coalesced sparse gradient has per step (``kernels/bag_numba.py``) over the rows an
    uncoalesced one has.
    """
    shares = []
    for b in batches:
        ids = np.concatenate([indices[indptr[r]:indptr[r + 1]] for r in b.numpy()])
        shares.append(len(np.unique(ids)) / max(len(ids), 1))
    return float(np.mean(shares))


def mean_batch_nnz(indptr: np.ndarray, batches) -> float:
    """Mean number of ids per batch over ``batches`` (lists of row tensors)."""
    lengths = np.diff(indptr)
    return float(np.mean([lengths[b.numpy()].sum() for b in batches]))


if __name__ == "__main__":
    raise SystemExit(main())
