"""What one training run is configured with: :class:`TrainConfig`, importable without torch.

``python -m fastbow.train`` builds its parser from these defaults (``--help`` then answers without
importing torch or numba: issue 9, item 5); :mod:`fastbow.training.run` runs a configuration and
re-exports the class.
"""
from __future__ import annotations

from dataclasses import dataclass

from fastbow.data.tokenize import DEFAULT_TOKENIZER
from fastbow.options import DEFAULT_HIDDEN, DEFAULT_NGRAM_VOCAB_SIZE

RESUMABLE = ("epochs", "device", "backend", "progress", "cache")  # TrainConfig fields that may change on --resume
RESUMABLE_FLAGS = "--epochs, --device, --backend, --no-progress, --no-cache"  # the same, as flags

@dataclass
class TrainConfig:
    """Every knob of a training run; the defaults are the CLI's (see ``--help``)."""

    data: str | None = None              # archive, aclImdb-layout folder or table file; None: $FASTBOW_DATA, caches, download
    out: str = "runs/default"            # output folder: metrics.json, model.pt, vocab.json
    tokenizer: str = DEFAULT_TOKENIZER   # whitespace | notebook | words
    vocab_size: int | None = None        # K most frequent training n-grams (+1 OOV); None: 20,000 for unigrams, more for n-grams
    ngrams: int = 1                      # word n-grams of orders 1..N (fastbow.data.ngrams)
    min_df: int | float = 1              # drop n-grams in fewer training documents (int: count, float: fraction)
    max_df: int | float = 1.0            # drop n-grams in more training documents (int: count, float: fraction)
    hash_buckets: int | None = None      # hash n-grams of order >= 2 into M buckets instead of a vocabulary
    weighting: str = "binary"            # feature values: binary | count | tfidf | nb (fastbow.data.weighting)
    dropout: float = 0.0                 # dropout probability on the input bag, while training
    weight_decay: float = 0.0            # L2 penalty added to the gradient (torch's weight_decay)
    hidden: int = DEFAULT_HIDDEN         # hidden units H
    logits: int | None = None            # None: 1 for 2 classes, C for C >= 3; 1: BCEWithLogitsLoss; C: CrossEntropyLoss
    epochs: int = 2                      # passes over the training split
    batch_size: int = 128                # rows per batch B
    lr: float = 3e-4                     # learning rate
    optimizer: str = "adam"              # sgd | adam
    seed: int = 0                        # seeds the model init and the per-epoch shuffle
    shuffle: bool = True                 # reshuffle training rows every epoch
    device: str = "auto"                 # auto (cuda if available) | cpu | cuda | cuda:N
    backend: str = "auto"                # scatter kernel: auto | numba | triton | torch
    input: str = "auto"                  # auto: fused on the CPU, dense on CUDA | fused | sparse | dense (see --help)
    cache: bool = True                   # reuse the tokenized CSR cache
    progress: bool = True                # progress bar per epoch (hidden when not a terminal)
    train_size: int | None = None        # train on N rows of the training split (None: all)
    test_size: int | None = None         # test on N rows of the test split (None: all)
    subset: str = "balanced"             # how --train-size/--test-size pick rows: first | balanced | random
    val_fraction: float = 0.0            # share of (the subset of) train carved out for validation, stratified
    split_seed: int | None = None        # seeds subsets and the validation split (None: seed)
    early_stopping: int | None = None    # patience in epochs on validation perplexity; restores the best epoch
    eval_train: bool = False             # also evaluate the training rows after every epoch (train_eval_*)
    eval_batch_size: int = 512           # rows per batch when evaluating (results do not depend on it)
    summary: bool = False                # print the parameter table per layer before training
    plot: bool = False                   # write OUT/curves.png (loss and perplexity per epoch)
    save_model: bool = True              # write OUT/model.pt and OUT/checkpoint.pt (sweeps turn it off)
    text_column: str = "text"            # table files: column (JSON key) with the text
    label_column: str = "label"          # table files: column (JSON key) with the class label
    test_file: str | None = None         # table files: a second table holding the test split
    test_fraction: float | None = None   # hold out this fraction of train as the test split (stratified)
    resume: str | None = None            # continue the run whose checkpoint.pt is in this folder
    class_weight: str = "none"           # none | balanced: loss weights n / (C * count_c) of the training rows
    overwrite: bool = False              # start a new run in an --out that holds an unfinished (resumable) one
    delimiter: str | None = None         # table files: CSV/TSV field separator (None: by suffix; "tab" = tab)
    encoding: str = "utf-8"              # table files: text encoding of CSV/TSV/JSONL
    quoting: str = "minimal"             # table files: minimal (" quotes fields) | none
    test_text_column: str | None = None  # test table: its text column when named differently (None: --text-column)
    test_label_column: str | None = None # test table: its label column when named differently

    def __post_init__(self):
        if self.vocab_size is None:  # --vocab-size not given: by the n-gram order (fastbow.options)
            self.vocab_size = DEFAULT_NGRAM_VOCAB_SIZE.get(self.ngrams, DEFAULT_NGRAM_VOCAB_SIZE[1])
