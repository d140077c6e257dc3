"""Packaging for fastbow.

The scatter kernels live in the top-level ``kernels/`` folder and are installed
as the subpackage ``fastbow.kernels`` (see ``package_dir``), so user code always
imports ``from fastbow.kernels import scatter_multi_hot``.
"""

from pathlib import Path

from setuptools import find_packages, setup

README = Path(__file__).with_name("README.md")

# Triton ships wheels for Linux x86_64/aarch64 only and is needed only on CUDA machines, whose torch
# builds already depend on it; it is imported lazily, so fastbow works without it (the Numba and torch
# backends need no GPU). Kept out of the base install (1.0 GB of a 2.4 GB CPU venv): the `gpu` extra
# adds it, and `dev` has it for the Triton-interpreter tests (TRITON_INTERPRET=1).
TRITON = "triton>=3.0; platform_system == 'Linux' and (platform_machine == 'x86_64' or platform_machine == 'aarch64')"

setup(
    name="fastbow",
    version="0.1.0",
    description="Fast multi-hot bag-of-words text classification for PyTorch: CSR once, scatter batches on the device.",
    long_description=README.read_text(encoding="utf-8") if README.exists() else "",
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
    packages=[*find_packages(include=["fastbow", "fastbow.*"]), "fastbow.kernels"],
    package_dir={"fastbow": "fastbow", "fastbow.kernels": "kernels"},
    entry_points={"console_scripts": ["fastbow = fastbow.__main__:console"]},
    install_requires=[
        # torch is deliberately unpinned here: install the CPU wheel first
        # (`pip install torch==2.13.0`), as README.md and .ci/run do, or pip pulls a CUDA build.
        "torch>=2.4",  # fused Adam on the CPU
        "numpy>=1.24",
        "scipy>=1.10",
        "numba>=0.58",
        "tqdm>=4.60",
        "regex>=2022.1",  # \p{M} in the words tokenizer (fastbow/data/tokenize.py)
        "matplotlib>=3.7",
    ],
    extras_require={
        "parquet": ["pyarrow>=12"],  # --data FILE.parquet
        "gpu": [TRITON],  # the Triton scatter kernel on CUDA (backend "auto" picks it when installed)
        "sklearn": ["scikit-learn>=1.3"],  # clone/GridSearchCV/pipelines around BowClassifier, BowVectorizer
        "dev": ["pytest>=7", "pytest-benchmark>=4", "scikit-learn>=1.3", "hypothesis>=6", "pyarrow>=12", TRITON],
        "fast": ["isal>=1.6"],  # inflates the archive ~2x faster than zlib (fastbow/data/gunzip.py); optional
        # benchmarks/test_e_end_to_end.py: scikit-learn baseline, and fastText when it installs (skipped otherwise)
        "bench": ["pytest-benchmark>=4", "scikit-learn>=1.3", "fasttext-wheel>=0.9.2"],
        # not CI: `python tests/mutation_run.py` (minutes per module; tests/MUTATION.md)
        "mutation": ["mutmut>=3.8,<4", "pytest>=7"],
    },
)
