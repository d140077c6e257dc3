"""Training stage: from CSR rows to a trained model, in data-flow order.

- ``sampler.py`` — :class:`~fastbow.training.sampler.RowBatchSampler`: batches of row ids, seeded by (seed, epoch).
- ``dist_sampler.py`` — :class:`~fastbow.training.dist_sampler.DistributedRowBatchSampler`: each torchrun rank's part of every global batch.
- ``loader.py`` — dense path: sampler → scatter kernel (``fastbow.kernels``) → ``(B, V + 1)`` multi-hot on the device.
- ``torch_data.py`` — the ``torch.utils.data`` entry point: a dataset whose ``DataLoader`` batches are scatter
  batches on the device, paired with ``RowBatchSampler``.
- ``sparse_loader.py`` — sparse path: sampler → the batch's ids and offsets for ``EmbeddingBag``.
- ``device.py`` — ``--device auto`` → CUDA when present, else CPU.
- ``timing.py`` — the data / transfer / forward / backward / optimizer split of each step.
- ``epoch.py`` — one training epoch, evaluation, optimizers, the initial-loss check.
- ``fused.py`` — ``--input fused`` (the CPU default): an optimizer that runs the fused Numba forward, backward and update.
- ``metrics.py`` — sample-weighted loss, accuracy and perplexity over an epoch.
- ``class_weight.py`` — ``--class-weight balanced``: loss weights n / (C · count_c) (scikit-learn's rule).
- ``small_data.py`` — what the trainer says when the training split is small (too few optimizer steps).
- ``early_stopping.py`` — patience on validation perplexity; where a curve turns.
- ``interrupts.py`` — Ctrl-C/SIGTERM stops after the batch; divergence located by step.
- ``checkpoint.py`` / ``resume.py`` — save a run after every epoch and continue it exactly.
- ``config.py`` — :class:`~fastbow.training.config.TrainConfig`, importable without torch (the CLI parser's defaults).
- ``outdir.py`` — the lock on ``--out`` and the refusal to overwrite an unfinished run.
- ``distributed.py`` — torchrun: process group, DDP gradients weighted per rank, metrics summed over ranks, rank 0 writes.
- ``run.py`` — one whole run from a :class:`~fastbow.training.run.TrainConfig` to ``metrics.json`` (what ``python -m fastbow.train`` calls).
"""
