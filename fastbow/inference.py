"""Score texts with a trained model: :class:`Predictor` and :func:`load_predictor`.

The library behind ``python -m fastbow.predict`` and :meth:`fastbow.BowClassifier.predict_proba`.
Texts go through the run's own tokenizer and vocabulary, are encoded as CSR rows
(:func:`fastbow.data.csr.encode_csr`) and scored in batches built by the same scatter kernel as in
training (:class:`fastbow.training.loader.DeviceBatchLoader`). A checkpoint is loaded with
``torch.load(weights_only=True)``: no code from the file is run.
"""
from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

import numpy as np
import torch

from fastbow.data.csr import CSR, encode_csr
from fastbow.data.tokenize import get_tokenizer
from fastbow.data.vocab import Vocab
from fastbow.errors import DataError, FastbowError
from fastbow.models.embedding_bag import SparseBagMLP
from fastbow.models.mlp import OneHotMLP, class_probabilities
from fastbow.training.checkpoint import load_checkpoint
from fastbow.training.loader import DeviceBatchLoader
from fastbow.training.sampler import RowBatchSampler

__all__ = ["Predictor", "load_predictor"]


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
    stopped_early = (state.get("metrics") or {}).get("stopped_epoch") is not None  # finished by early stopping
    if state["batch"] or (isinstance(planned, int) and state["epoch"] < planned and not stopped_early):
        warnings.warn(f"{path} is an unfinished run (stopped after {state['epoch']} full epoch(s) of {planned}, "
                      f"plus {state['batch']} batch(es)); scoring with its weights as they were then; "
                      f"finish it with python -m fastbow.train --resume", UserWarning, stacklevel=2)
    cfg = state.get("config", {})
    if cfg.get("ngrams", 1) != 1 or cfg.get("weighting", "binary") != "binary" or "ngrams" in state["vocab"]:
        raise DataError(f"{path} was trained with --ngrams {cfg.get('ngrams', 1)} --weighting "
                        f"{cfg.get('weighting', 'binary')}; predict and evaluate score unigram binary runs only "
                        "so far (the n-gram encoder and the fitted weights are not saved with the run yet)")
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
