"""Data stage: from a file on disk to cached CSR arrays, in data-flow order.

- ``datapath.py`` — where the dataset is (``--data``, ``$FASTBOW_DATA``, caches); ``download.py`` fetches it once.
- ``reader.py`` — the IMDB archive or any aclImdb-layout folder → texts + labels (:class:`~fastbow.data.reader.Split`).
- ``gunzip.py`` — inflates a gzip archive in memory in one C call (python-isal when installed) for the reader.
- ``tarscan.py`` — walks the plain headers of an in-memory tar (else ``tarfile`` does), for the reader.
- ``texts.py`` — raw text lines (``predict --file``): BOM, undecodable bytes, blank texts.
- ``tables.py`` — CSV/TSV/JSONL/Parquet tables → the same ``Split``.
- ``text_table.py`` — unlabelled texts (and ids) from the same table formats, for ``predict``.
- ``dataset.py`` — picks the reader for a path; the options that enter the cache key.
- ``tokenize.py`` — text → tokens (``whitespace``, ``notebook``, ``words``).
- ``vocab.py`` — the K most frequent training tokens → ids 1..K, 0 = OOV.
- ``csr.py`` — token ids → CSR ``indptr (n_docs + 1,) int64`` / ``indices (nnz,) int32``, sorted, unique per row.
- ``parallel_encode.py`` — tokenize, count and encode in worker processes.
- ``stream_encode.py`` — CSV/TSV/JSONL table pairs tokenized and encoded in chunks, memory bounded by the CSR.
- ``ngrams.py`` — word n-grams from unigram-id arrays: keys, count vocabulary with df cut-offs, term-count CSR.
- ``ngram_vocab.py`` — the n-gram options (validated, part of the cache key) and :class:`NgramVocab`.
- ``ngram_hash.py`` — stable n-gram hashing into buckets and its collisions.
- ``ngram_encode.py`` — the n-gram preparation of both splits (workers tokenize, NumPy builds the n-grams).
- ``weighting.py`` — feature values: binary, count, tf-idf (scikit-learn's), NB log-count ratios.
- ``features.py`` — a run's feature options: n-gram preparation, default K, input kind, weighting, n-gram stats.
- ``prepare.py`` — read → tokenize → vocab → CSR once, cached on disk (:func:`~fastbow.data.prepare.prepare`).
- ``labelled.py`` — the splits of any dataset (a bare table included) for ``stats`` and ``profile``.
- ``memory.py`` — the same from in-memory texts and labels (any hashable labels → class ids), without disk.
- ``npz_mmap.py`` — the cache's arrays opened memory-mapped, so processes share one copy.
- ``subsets.py`` — first/balanced/random subsets and the stratified validation split, as row ids.
"""
