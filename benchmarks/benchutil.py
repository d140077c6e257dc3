"""Helpers shared by the benchmark groups: device, batches, bytes moved, result tables.

Nothing here is timed; the ``test_*.py`` files time with pytest-benchmark and
hand their medians to :func:`record`, and ``conftest.py`` prints the tables
(:func:`summary_markdown`) at the end of ``pytest --benchmark-only``.
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


def record(results: dict, group: str, name: str, benchmark, *, per: float = 1.0, **fields) -> None:
    """Store ``benchmark``'s median (seconds, divided by ``per``) under ``results[group][name]``.

    Does nothing when pytest-benchmark did not time the call (smoke mode: ``--benchmark-disable``).
    """
    if not benchmark.stats:
        return
    st = benchmark.stats.stats
    row = {"median_s": st.median / per, "min_s": st.min / per, "max_s": st.max / per, "rounds": st.rounds}
    row.update(fields)
    benchmark.extra_info.update({k: v for k, v in row.items() if isinstance(v, (int, float, str))})
    results.setdefault(group, {})[name] = row


def _fmt_s(s: float) -> str:
    return f"{s * 1e3:.2f} ms" if s < 1 else f"{s:.2f} s"


def _table(header, rows) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return out


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def summary_markdown(results: dict, info: dict) -> str:
    """The comparison tables (groups a, b/b′, c, d) and the target checks, as Markdown."""
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
            ratio = f"{r['median_s'] / ref['median_s']:.2f}×" if ref else ""
            rows.append((name, _fmt_s(r["median_s"]), ratio, r.get("note", "")))
        lines += ["### a. Preparation (train + test, 25,000 + 25,000 reviews)", ""]
        lines += _table(("step", "median", "vs CountVectorizer", "note"), rows) + [""]
        fa, warm = a.get("archive->CSR fastbow cold"), a.get("warm (cache hit)")
        for name in ("texts->CSR fastbow, 2 processes", "texts->CSR fastbow, 1 process"):
            if name in a and cv_t:
                x = a[name]["median_s"] / cv_t["median_s"]
                lines.append(f"- target cold ≤ 0.5× CountVectorizer, reading outside both ({name.split(', ')[1]}): "
                             f"{x:.2f}× — {_verdict(x <= 0.5)}")
        if fa and cv_a:
            x = fa["median_s"] / cv_a["median_s"]
            lines.append(f"- the same with reading the archive inside both: {x:.2f}× — {_verdict(x <= 0.5)}")
        if warm:
            lines.append(f"- target warm ≤ 0.3 s: {warm['median_s']:.3f} s — {_verdict(warm['median_s'] <= 0.3)}")
        lines.append("")
    b = results.get("b", {})
    if b:
        ref = b.get(BASELINE)
        rows = [(n, f"{r['median_s'] * 1e3:.3f}", f"{r['gbps']:.2f}",
                 f"{ref['median_s'] / r['median_s']:.1f}×" if ref else "", r.get("note", "")) for n, r in b.items()]
        lines += [f"### b / b′. Batch materialization (B = {info.get('batch_size')}, V + 1 = {info.get('n_features')})", ""]
        lines += _table(("method", "ms/batch (median)", "GB/s (b′)", "speed-up vs notebook-dense", "note"), rows)
        lines.append("")
    c = results.get("c", {})
    if c:
        ref = c.get(BASELINE)
        rows = []
        for n, r in c.items():
            sp = f"{ref['epoch_s'] / r['epoch_s']:.1f}×" if ref else ""
            mem = f"1/{ref['state_bytes'] / r['state_bytes']:.0f}" if ref and r["state_bytes"] < ref["state_bytes"] else (
                "1" if ref and r["state_bytes"] == ref["state_bytes"] else
                f"{r['state_bytes'] / ref['state_bytes']:.2f}" if ref else "")
            rows.append((n, f"{r['epoch_s']:.2f}", sp, f"{r['state_bytes'] / 1e6:,.0f} MB", mem, r.get("note", "")))
        lines += ["### c. One training epoch on IMDB train (B = 128, same initial weights, optimizer and seed)", ""]
        lines += _table(("pipeline", "epoch s (median)", "speed-up vs notebook-dense", "dataset in host RAM",
                         "vs notebook-dense", "note"), rows) + [""]
        if ref:
            fastbow = {n: r for n, r in c.items() if n.startswith(("scatter", "sparse"))}
            if fastbow:
                best_name, best = min(fastbow.items(), key=lambda kv: kv[1]["epoch_s"])
                x = ref["epoch_s"] / best["epoch_s"]
                lines.append(f"- target fastest ≥ 15× notebook-dense: {best_name} {x:.1f}× — {_verdict(x >= 15)}")
                naive = c.get("notebook-naive")
                if naive:
                    y = naive["epoch_s"] / best["epoch_s"]
                    lines.append(f"- target fastest ≥ 80× notebook per-item: {y:.0f}× — {_verdict(y >= 80)}")
            if str(info.get("device", "")).startswith("cuda"):
                for n, limit in (("sparse", 0.010), ("scatter", 0.020)):
                    if n in c:
                        e = c[n]["epoch_s"]
                        lines.append(f"- GPU target {n} epoch ≤ {limit * 1e3:.0f} ms: {e * 1e3:.1f} ms — "
                                     f"{_verdict(e <= limit)}")
            sc = c.get("scatter")
            if sc:
                faster = sc["epoch_s"] <= ref["epoch_s"]
                mem = ref["state_bytes"] / sc["state_bytes"]
                lines.append(f"- target scatter no slower than notebook-dense with ≤ 1/50 of its memory: "
                             f"{sc['epoch_s']:.2f} s vs {ref['epoch_s']:.2f} s, 1/{mem:.0f} — "
                             f"{_verdict(faster and mem >= 50)}")
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
        x = mine["median_s"] / ref["median_s"]
        lines += [f"- target ≤ 0.5× TfidfVectorizer(ngram_range=(1, 2)): {x:.2f}× — {_verdict(x <= 0.5)}", ""]
    return lines


def main(argv=None) -> int:
    """``python benchmarks/benchutil.py [.benchmarks/fastbow-summary.json]``: print that run's tables again."""
    import json
    import sys

    argv = sys.argv[1:] if argv is None else argv
    path = argv[0] if argv else os.path.join(os.path.dirname(__file__), "..", ".benchmarks", "fastbow-summary.json")
    with open(path, encoding="utf-8") as f:
        run = json.load(f)
    print(summary_markdown(run["results"], run["info"]))
    return 0


def mean_batch_nnz(indptr: np.ndarray, batches) -> float:
    """Mean number of ids per batch over ``batches`` (lists of row tensors)."""
    lengths = np.diff(indptr)
    return float(np.mean([lengths[b.numpy()].sum() for b in batches]))


if __name__ == "__main__":
    raise SystemExit(main())
