"""Models: the course notebook's MLP and its sparse-input twin.

- ``mlp.py`` — :class:`~fastbow.models.mlp.OneHotMLP` ``Linear(V + 1, H) → ReLU → Linear(H, C)`` on multi-hot
  input; per-sample losses (``BCEWithLogitsLoss`` for one logit, ``CrossEntropyLoss`` for C); probabilities.
- ``embedding_bag.py`` — :class:`~fastbow.models.embedding_bag.SparseBagMLP`: the same function on CSR ids
  (``EmbeddingBag(V + 1, H, sum)``), with ``model.pt`` always written in ``OneHotMLP`` layout.
- ``head.py`` — 1 logit for 2 classes, C logits for C ≥ 3.
"""
