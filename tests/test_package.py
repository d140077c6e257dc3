"""The public face (fastbow/__init__.py): lazy PEP 562 exports, no torch on `import fastbow`, no triton needed."""
import subprocess
import sys
import textwrap

import pytest

import fastbow


def _run(code: str) -> str:
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_import_fastbow_does_not_import_torch():
    out = _run("""
        import sys
        import fastbow
        print(sorted(m for m in ("torch", "numba", "scipy", "sklearn") if m in sys.modules), fastbow.__version__)
        """)
    assert out.split() == ["[]", "0.1.0"]


@pytest.mark.parametrize("name", fastbow.__all__)
def test_every_exported_name_resolves_to_its_defining_module(name):
    value = getattr(fastbow, name)
    assert getattr(value, "__name__", name) == name
    assert name in dir(fastbow)


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="module 'fastbow' has no attribute 'BowClasifier'"):
        fastbow.BowClasifier  # noqa: B018


def test_quick_start_without_triton_imports_and_trains():
    out = _run("""
        import sys
        sys.modules["triton"] = None  # `import triton` raises ImportError, as without fastbow[gpu]
        from fastbow import BowClassifier, BowVectorizer
        from fastbow.kernels import triton_available
        clf = BowClassifier(vocab_size=6, epochs=5, lr=0.03, verbose=False)
        clf.fit(["good great fun", "bad awful dull"] * 10, ["pos", "neg"] * 10)
        print(triton_available(), clf.predict(["good fun", "awful"]).tolist(), BowVectorizer().get_params()["vocab_size"])
        """)
    assert out.split("\n")[0] == "False ['pos', 'neg'] 20000"
