"""Sample-weighted loss, accuracy and perplexity over an epoch.

Perplexity = exp(sum of per-sample cross-entropy / number of samples), in
nats: the exponential of the mean negative log-likelihood per sample, so a
random guess over C classes scores C and a perfect classifier 1 (SEED.md,
exercise VI). The mean is over samples, not over batches: averaging per-batch
means would give a short last batch the weight of a full one (SEED.md,
mistake 5). Sums stay on the device and are read once per epoch.
"""
from __future__ import annotations

import math

import torch


class EpochMetrics:
    """Running sums of per-sample losses and correct predictions.

    Example (batches of 5 at mean loss 1.2 and 3 at 1.3):
        >>> m = EpochMetrics()
        >>> m.update(torch.full((5,), 1.2), torch.ones(5, dtype=torch.bool))
        >>> m.update(torch.full((3,), 1.3), torch.zeros(3, dtype=torch.bool))
        >>> r = m.result(); round(r["loss"], 4), r["accuracy"]
        (1.2375, 0.625)
    """

    def __init__(self):
        self.loss_sum = None
        self.correct = None
        self.n = 0

    def update(self, losses: torch.Tensor, correct: torch.Tensor) -> None:
        """Add a batch: ``losses (B,) float`` per-sample nats, ``correct (B,) bool``. No sync."""
        s, c = losses.detach().sum(dtype=torch.float64), correct.sum()
        self.loss_sum = s if self.loss_sum is None else self.loss_sum + s
        self.correct = c if self.correct is None else self.correct + c
        self.n += losses.shape[0]

    def result(self) -> dict:
        """``{"loss": nats/sample, "accuracy": fraction, "perplexity": exp(loss), "n": samples}``.

        Reads the device sums (one sync point). Raises ``ValueError`` when no sample was added.
        """
        if self.n == 0:
            raise ValueError("no samples were evaluated; the split is empty")
        loss = float(self.loss_sum) / self.n
        return {"loss": loss, "accuracy": int(self.correct) / self.n,
                "perplexity": math.exp(loss) if loss < 700 else math.inf, "n": self.n}
