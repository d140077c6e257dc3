"""Score new texts with a trained run: ``python -m fastbow.predict``.

Examples::

    python -m fastbow.predict --model runs/a "A wonderful, moving film." "Dull and far too long."
    python -m fastbow.predict --model runs/a --file reviews.txt        # one text per line
    cat reviews.txt | python -m fastbow.predict --model runs/a --file -

Each input gives one line on stdout, in input order: the predicted label, its
probability, and the start of the text, separated by tabs (``--json``: one JSON
object per line with every class's probability)::

    pos	0.9731	A wonderful, moving film.

The texts go through the run's own tokenizer and vocabulary (from
``OUT/checkpoint.pt``), are encoded as CSR rows (:func:`fastbow.data.csr.encode_csr`)
and scored in batches built by the same scatter kernel as in training
(:class:`fastbow.training.loader.DeviceBatchLoader`). The checkpoint is loaded with
``torch.load(weights_only=True)``: no code from the file is run.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from fastbow.data.csr import CSR, encode_csr
from fastbow.data.tokenize import get_tokenizer
from fastbow.data.vocab import Vocab
from fastbow.models.embedding_bag import SparseBagMLP
from fastbow.models.mlp import OneHotMLP, class_probabilities
from fastbow.training.checkpoint import load_checkpoint
from fastbow.training.loader import DeviceBatchLoader
from fastbow.training.sampler import RowBatchSampler

from .cli import HelpFormatter, run_cli
from .errors import DataError, FastbowError
from .kernels import BACKENDS

__all__ = ["Predictor", "load_predictor", "read_lines", "main"]

_PREVIEW = 60  # characters of each text echoed in the output


@dataclass
class Predictor:
    """A trained model with the vocabulary, tokenizer and class names it was trained with.

    Attributes:
        model (OneHotMLP): in ``eval`` mode on ``device``.
        vocab (Vocab): the training vocabulary (its ``tokenizer`` names the tokenizer).
        classes (tuple[str, ...]): label ``i`` is ``classes[i]``.
        device (torch.device): where batches are built and scored.
        backend (str): the scatter kernel (see :func:`fastbow.kernels.resolve_backend`).
    """

    model: OneHotMLP
    vocab: Vocab
    classes: tuple
    device: torch.device
    backend: str = "auto"

    @torch.no_grad()
    def probabilities(self, texts: list[str], batch_size: int = 256) -> np.ndarray:
        """Class probabilities of each text: ``(n, len(classes)) float32``, rows summing to 1.

        Raises:
            FastbowError: ``texts`` is empty or ``batch_size`` is not a positive integer.
        """
        if not texts:
            raise FastbowError("no texts to score; pass TEXT arguments or --file PATH")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise FastbowError(f"batch_size should be a positive integer value, but got batch_size={batch_size!r}")
        tok = get_tokenizer(self.vocab.tokenizer)
        indptr, indices = encode_csr((tok(t) for t in texts), self.vocab)  # (n+1,) int64, (nnz,) int32
        csr = CSR(indptr, indices, np.zeros(len(texts), dtype=np.int64), self.vocab.n_features)
        loader = DeviceBatchLoader(csr, RowBatchSampler(len(texts), min(batch_size, len(texts)), shuffle=False),
                                   self.device, self.backend)
        self.model.eval()
        out = [class_probabilities(self.model(x)).cpu() for x, _ in loader]  # (B, C) each
        return torch.cat(out).numpy()

    def predict(self, texts: list[str], batch_size: int = 256) -> tuple[list[str], np.ndarray]:
        """Predicted label and its probability for each text: ``(labels, (n,) float32)``."""
        p = self.probabilities(texts, batch_size)
        best = p.argmax(axis=1)  # (n,) first maximum: ties go to the lower label, as predict_classes
        return [self.classes[i] for i in best], p[np.arange(len(best)), best]


def load_predictor(path: str | os.PathLike, device="cpu", backend: str = "auto") -> Predictor:
    """Load the checkpoint of a training run for scoring.

    Args:
        path: the run's ``--out`` folder or its ``checkpoint.pt``.
        device (torch.device | str): where to score; backend (str): scatter kernel.

    Raises:
        DataError: no checkpoint, an unreadable or unsafe one (see
            :func:`fastbow.training.checkpoint.load_checkpoint`), or one whose parts disagree.
    """
    state = load_checkpoint(path)
    planned = state.get("config", {}).get("epochs")
    if state["batch"] or (isinstance(planned, int) and state["epoch"] < planned):
        warnings.warn(f"{path} is an unfinished run (stopped after {state['epoch']} full epoch(s) of {planned}, "
                      f"plus {state['batch']} batch(es)); scoring with its weights as they were then; "
                      f"finish it with python -m fastbow.train --resume", UserWarning, stacklevel=2)
    cfg = state.get("config", {})
    if cfg.get("ngrams", 1) != 1 or cfg.get("weighting", "binary") != "binary" or "ngrams" in state["vocab"]:
        raise DataError(f"{path} was trained with --ngrams {cfg.get('ngrams', 1)} --weighting "
                        f"{cfg.get('weighting', 'binary')}; fastbow.predict scores unigram multi-hot runs only "
                        "so far (issue 12), so it refuses rather than encode the texts differently")
    vocab = Vocab.from_dict(state["vocab"])
    classes = tuple(state["classes"])
    n_logits = state["n_logits"]
    if vocab.n_features != state["n_features"] or n_logits not in (1, len(classes)) or (n_logits == 1 and len(classes) != 2):
        raise DataError(f"checkpoint {path} is inconsistent (V+1={vocab.n_features} vs {state['n_features']} features, "
                        f"{n_logits} logits for {len(classes)} classes); train again")
    sparse = "bag.weight" in state["model"]  # trained with --input sparse: scored as the same OneHotMLP
    model = (SparseBagMLP if sparse else OneHotMLP)(state["n_features"], state["hidden"], n_logits)
    try:
        model.load_state_dict(state["model"])
        model = model.to_dense() if sparse else model
    except RuntimeError as e:
        raise DataError(f"checkpoint {path} does not hold a OneHotMLP ({str(e).splitlines()[0]}); train again") from None
    device = torch.device(device)
    return Predictor(model.to(device).eval(), vocab, classes, device, backend)


def read_lines(path: str) -> list[str]:
    """Texts from ``path`` (``"-"``: stdin), one per line; a final newline ends the last text.

    Bytes that are not UTF-8 become U+FFFD; the number of lines that needed it is reported on
    stderr. Empty lines are kept as empty texts (their score is the model's bias), so output line
    ``i`` always belongs to input line ``i``.

    Raises:
        DataError: the file cannot be read.
    """
    try:
        raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as e:
        raise DataError(f"cannot read --file {path} ({e.strerror or e}); pass an existing text file or -") from None
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    texts, n_bad = [], 0
    for line in lines:
        line = line[:-1] if line.endswith(b"\r") else line
        try:
            texts.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            texts.append(line.decode("utf-8", errors="replace"))
            n_bad += 1
    if n_bad:
        print(f"warning: {n_bad} of {len(texts)} lines of {'stdin' if path == '-' else path} held bytes that "
              "are not UTF-8; they were replaced with U+FFFD", file=sys.stderr)
    return texts


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _PREVIEW else flat[: _PREVIEW - 1] + "…"


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m fastbow.predict`` argument parser."""
    p = argparse.ArgumentParser(prog="python -m fastbow.predict", formatter_class=HelpFormatter,
                                description="Print the predicted label and its probability for each text.")
    p.add_argument("--model", required=True, metavar="OUT", help="output folder of a training run (or its checkpoint.pt)")
    p.add_argument("texts", nargs="*", metavar="TEXT", help="texts to score")
    p.add_argument("--file", metavar="PATH", help="score each line of PATH ('-': standard input) instead of TEXT")
    p.add_argument("--batch-size", type=int, default=256, metavar="B", help="texts per scored batch")
    p.add_argument("--device", default="cpu", help="auto, cpu, cuda or cuda:N")
    p.add_argument("--backend", default="auto", choices=list(BACKENDS), help="scatter kernel")
    p.add_argument("--json", action="store_true", help="one JSON object per line with every class's probability")
    return p


def run(args: argparse.Namespace) -> None:
    """Score ``args.texts`` or the lines of ``args.file`` and print one line each (see module doc).

    Raises:
        FastbowError / DataError: bad arguments, model or input (one line).
    """
    from fastbow.training.device import resolve_device

    if args.texts and args.file is not None:
        raise FastbowError("pass texts either as TEXT arguments or with --file, not both")
    if args.file is None and not args.texts:
        raise FastbowError("no texts to score; pass TEXT arguments, or --file PATH ('-' for standard input)")
    # argv holds undecodable bytes as surrogate escapes: turn them into U+FFFD like the file reader
    texts = read_lines(args.file) if args.file is not None else [
        t.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for t in args.texts]
    if not texts:
        raise FastbowError(f"no texts to score: {'standard input' if args.file == '-' else args.file} is empty")
    predictor = load_predictor(args.model, resolve_device(args.device), args.backend)
    probs = predictor.probabilities(texts, args.batch_size)  # (n, C)
    best = probs.argmax(axis=1)
    lines = []
    for text, p, b in zip(texts, probs, best):
        label = predictor.classes[b]
        if args.json:
            lines.append(json.dumps({"label": label, "probability": round(float(p[b]), 6),
                                     "probabilities": {c: round(float(q), 6) for c, q in zip(predictor.classes, p)}},
                                    ensure_ascii=False))
        else:
            lines.append(f"{label}\t{p[b]:.4f}\t{_preview(text)}")
    sys.stdout.write("\n".join(lines) + "\n")


def main(argv=None) -> int:
    """CLI entry point; returns the exit status (0, or 2 with ``error: ...`` on stderr)."""
    args = build_parser().parse_args(argv)
    return run_cli(lambda: run(args))


if __name__ == "__main__":
    sys.exit(main())
