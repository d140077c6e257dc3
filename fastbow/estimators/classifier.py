"""``BowClassifier``: fastbow's trainer as a scikit-learn-style classifier on in-memory texts.

``fit(texts, y)`` runs the trainer's own pipeline: :func:`fastbow.data.memory.prepare_texts`
(tokenize → vocabulary → CSR, in memory) and :func:`fastbow.training.run.run_prepared` (the
epoch loop of ``python -m fastbow.train``, writing nothing). The options are the trainer's, with
the same names and the same defaults (read from :class:`fastbow.training.run.TrainConfig`).
``save(path)`` writes the run folder that ``python -m fastbow.predict --model PATH`` reads.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from fastbow.atomic import atomic_write, write_json
from fastbow.data.memory import (
    check_texts,
    encode_labels,
    label_ids,
    native,
    prepare_texts,
)
from fastbow.data.vocab import Vocab
from fastbow.estimators.console import reporting
from fastbow.estimators.params import ParamsMixin
from fastbow.inference import Predictor, load_predictor
from fastbow.training.checkpoint import CHECKPOINT, load_checkpoint, save_checkpoint
from fastbow.training.run import (
    TrainConfig,
    prepare_output,
    run_prepared,
    validate_config,
)

__all__ = ["TRAINER_OPTIONS", "BowClassifier"]

_DEFAULTS = dataclasses.asdict(TrainConfig())  # the trainer's defaults, resolved (vocab_size: 20,000 for unigrams)
# the trainer's options a BowClassifier takes, under the TrainConfig (= --flag) names
TRAINER_OPTIONS = ("tokenizer", "vocab_size", "hidden", "epochs", "batch_size", "optimizer", "lr", "device",
                   "input", "seed", "val_fraction", "early_stopping")
_SCORE_BATCH = 512  # rows per scored batch in predict_proba (results do not depend on it)


class BowClassifier(ParamsMixin):
    """Multi-hot bag-of-words MLP (``Linear(K + 1, H) → ReLU → Linear(H, C)``) on raw texts.

    Parameters (the trainer's options; defaults as ``python -m fastbow.train``):
        tokenizer (str): ``"whitespace"``, ``"notebook"`` or ``"words"``.
        vocab_size (int): K, the most frequent training tokens kept (+1 OOV feature).
        hidden (int): hidden units H.
        epochs (int): passes over the training texts.
        batch_size (int): rows per batch B.
        optimizer (str): ``"adam"`` or ``"sgd"``; lr (float): its learning rate.
        device (str): ``"auto"`` (CUDA when available) | ``"cpu"`` | ``"cuda"`` | ``"cuda:N"``.
        input (str): ``"dense"`` (scatter multi-hot batches) or ``"sparse"`` (``EmbeddingBag`` on ids).
        seed (int): seeds the initial weights, the shuffle and the validation split.
        val_fraction (float): share of the texts held out (stratified) for validation, 0 for none.
        early_stopping (int | None): patience in epochs on validation perplexity (needs
            ``val_fraction``); the best epoch's weights are restored.
        verbose (bool): print one line per epoch and show progress bars (default True).

    Attributes (after ``fit``):
        classes_ (numpy.ndarray): ``(C,)`` the sorted distinct labels; ``predict_proba`` columns follow it.
        n_features_in_ (int): K + 1, the width of a multi-hot row.
        vocabulary_ (dict[str, int]): token → feature id, ids 1..K (0 = OOV).
        history_ (list[dict]): one dict per epoch, the keys of ``metrics.json``'s ``epochs``
            (``train_loss``, ``train_accuracy``, ``train_perplexity``, ``time_s``, ``val_*`` with
            ``val_fraction``; no ``test_*``: ``fit`` has no test split).
        metrics_ (dict): the whole ``metrics.json`` content (``config``, ``rows``, ``epochs``, ``best_epoch``...).
        model_ (fastbow.models.mlp.OneHotMLP): the trained network, in ``eval`` mode.

    Labels: any hashable values of one kind (str, int, bool, float); mixing kinds is an error
    (:func:`fastbow.data.memory.encode_labels`).

    Example:
        >>> clf = BowClassifier(epochs=20, lr=0.01, vocab_size=10, verbose=False)
        >>> clf.fit(["good fun", "great film", "bad plot", "awful film"] * 8, ["pos", "pos", "neg", "neg"] * 8)
        BowClassifier(epochs=20, lr=0.01, verbose=False, vocab_size=10)
        >>> clf.predict(["good film", "awful plot"]).tolist()
        ['pos', 'neg']
    """

    _estimator_type = "classifier"  # scikit-learn < 1.6 reads this; newer versions __sklearn_tags__

    def __init__(self, tokenizer: str = _DEFAULTS["tokenizer"], vocab_size: int = _DEFAULTS["vocab_size"],
                 hidden: int = _DEFAULTS["hidden"], epochs: int = _DEFAULTS["epochs"],
                 batch_size: int = _DEFAULTS["batch_size"], optimizer: str = _DEFAULTS["optimizer"],
                 lr: float = _DEFAULTS["lr"], device: str = _DEFAULTS["device"], input: str = _DEFAULTS["input"],
                 seed: int = _DEFAULTS["seed"], val_fraction: float = _DEFAULTS["val_fraction"],
                 early_stopping: int | None = _DEFAULTS["early_stopping"], verbose: bool = True):
        self.tokenizer = tokenizer
        self.vocab_size = vocab_size
        self.hidden = hidden
        self.epochs = epochs
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.lr = lr
        self.device = device
        self.input = input
        self.seed = seed
        self.val_fraction = val_fraction
        self.early_stopping = early_stopping
        self.verbose = verbose

    def _config(self) -> TrainConfig:
        return TrainConfig(**{k: getattr(self, k) for k in TRAINER_OPTIONS}, data=None, out=None, cache=False,
                           save_model=False, progress=self.verbose)

    def fit(self, texts, y):
        """Train on ``texts`` (list of str) with labels ``y`` (one per text); returns ``self``.

        Refitting starts from scratch. Nothing is written to disk.

        Raises:
            FastbowError: a bad option (the trainer's one-line message), texts that are not
                strings, labels of mixed kinds, fewer than 2 classes, or a label count that
                differs from the text count.
            FloatingPointError: training diverged (lower ``lr``).
        """
        from fastbow.training.device import resolve_device

        with reporting(self.verbose):
            cfg = self._config()
            validate_config(cfg)
            texts = check_texts(texts)
            ids, classes = encode_labels(y, len(texts))
            data = prepare_texts(texts, ids, classes=[native(c) for c in classes], tokenizer=self.tokenizer,
                                 vocab_size=cfg.vocab_size)
            device = resolve_device(self.device)
            trained = {}
            result = run_prepared(cfg, data, device=device, trained=trained)
        model = trained["model"]
        dense = model.to_dense() if hasattr(model, "to_dense") else model  # SparseBagMLP → OneHotMLP
        self._set_fitted(Predictor(dense.eval(), data.vocab, data.classes, device), classes, result)
        self._trained = trained | {"vocab": data.vocab}
        return self

    def _set_fitted(self, predictor: Predictor, classes: np.ndarray, result: dict) -> None:
        self._predictor = predictor
        self.classes_ = classes
        self.n_features_in_ = predictor.vocab.n_features
        self.vocabulary_ = dict(predictor.vocab.index)
        self.metrics_ = result
        self.history_ = result["epochs"]
        self.model_ = predictor.model

    def predict_proba(self, texts) -> np.ndarray:
        """Class probabilities: ``(n_texts, C) float32``, rows summing to 1, columns in ``classes_`` order."""
        self._check_fitted()
        texts = check_texts(texts)
        if not texts:
            return np.zeros((0, len(self.classes_)), dtype=np.float32)
        return self._predictor.probabilities(texts, _SCORE_BATCH)

    def predict(self, texts) -> np.ndarray:
        """Most probable label of each text: ``(n_texts,)`` array of ``classes_`` values (ties: the first class)."""
        best = self.predict_proba(texts).argmax(axis=1)  # (n,) int64; checks that fit ran
        return self.classes_[best]

    def score(self, texts, y) -> float:
        """Accuracy: the fraction of ``texts`` whose predicted label equals ``y`` (scikit-learn's default score).

        Raises:
            FastbowError: ``len(y) != len(texts)``, or a label in ``y`` that ``fit`` never saw.
        """
        self._check_fitted()
        texts = check_texts(texts)
        y = list(y.tolist() if isinstance(y, np.ndarray) else y)
        if len(y) != len(texts):
            raise ValueError(f"y should hold one label per text, but got {len(y)} labels for {len(texts)} texts")
        truth = label_ids(y, self.classes_)  # (n,) int64
        return float(np.mean(self.predict_proba(texts).argmax(axis=1) == truth)) if len(y) else float("nan")

    def save(self, path) -> Path:
        """Write a run folder: ``checkpoint.pt``, ``model.pt``, ``vocab.json``, ``metrics.json``; returns it.

        The folder is what ``python -m fastbow.train --out PATH`` writes: ``python -m fastbow.predict
        --model PATH`` and :meth:`load` read it. Every file is written atomically.

        Raises:
            NotFittedError: before ``fit``.
            FastbowError: the folder cannot be created or written.
        """
        import torch

        from fastbow.models.embedding_bag import dense_state_dict
        from fastbow.training import resume

        self._check_fitted()
        out = prepare_output(str(path))
        if not hasattr(self, "_trained"):  # loaded from a folder: copy its checkpoint as it is
            state = self._state
        else:
            t, epochs = self._trained, self.metrics_["epochs"]
            state = resume.training_state(
                model=t["model"], optimizer=t["optimizer"], epoch=epochs[-1]["epoch"] if epochs else 0, batch=0,
                partial=None, seed=self.seed, shuffle=True, batch_size=self.batch_size, vocab=t["vocab"],
                classes=list(self._predictor.classes), hidden=self.hidden, result=self.metrics_, config=t["config"])
        save_checkpoint(out / CHECKPOINT, state)
        with atomic_write(out / "model.pt") as f:
            torch.save(dense_state_dict(self.model_), f)
        Vocab.from_dict(state["vocab"]).save(out / "vocab.json")
        write_json(out / "metrics.json", state["metrics"])
        return out

    @classmethod
    def load(cls, path, device: str | None = None) -> BowClassifier:
        """A fitted classifier from a run folder (:meth:`save`, or ``python -m fastbow.train --out``).

        Args:
            path: the folder or its ``checkpoint.pt``.
            device (str, optional): where to score; default ``"auto"`` (CUDA when available).

        Raises:
            DataError: no checkpoint there, or an unreadable, unsafe or inconsistent one.
        """
        from fastbow.training.device import resolve_device

        state = load_checkpoint(path)
        saved = state.get("config", {})
        clf = cls(**{k: saved[k] for k in TRAINER_OPTIONS if k in saved})
        dev = resolve_device(device or "auto")
        if device is not None:
            clf.device = device
        predictor = load_predictor(path, dev)
        classes = np.asarray(predictor.classes)
        clf._set_fitted(predictor, classes, state["metrics"])
        clf._state = state
        return clf

    def __sklearn_tags__(self):
        """scikit-learn ≥ 1.6 estimator tags: a classifier on strings (called by scikit-learn only)."""
        from sklearn.utils import ClassifierTags, InputTags, Tags, TargetTags

        return Tags(estimator_type="classifier", target_tags=TargetTags(required=True),
                    classifier_tags=ClassifierTags(),
                    input_tags=InputTags(one_d_array=True, two_d_array=False, string=True))
