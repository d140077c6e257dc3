"""The package layout: every module imports, no import cycles, no library module imports a command."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {"fastbow.train", "fastbow.predict", "fastbow.stats", "fastbow.sweep", "fastbow.profile", "fastbow.evaluate", "fastbow.__main__"}


def _modules():
    out = {}
    for base, pkg in ((ROOT / "fastbow", "fastbow"), (ROOT / "kernels", "fastbow.kernels")):
        for p in base.rglob("*.py"):
            rel = p.relative_to(base).with_suffix("")
            parts = [pkg, *rel.parts]
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = p
    return out


def _imports(name: str, path: Path, known: set) -> set:
    """Module-level and function-level ``fastbow`` imports of one file, resolved to module names."""
    pkg = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(pkg.split(".")[: len(pkg.split(".")) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in known else base)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {m for m in found if m in known and m != name}


def test_no_import_cycles_and_no_library_module_imports_a_command():
    mods = _modules()
    graph = {m: _imports(m, p, set(mods)) for m, p in mods.items()}
    for m, deps in graph.items():
        if m not in COMMANDS and m != "fastbow":
            assert not deps & COMMANDS, f"{m} imports a command module: {deps & COMMANDS}"
    state = {}

    def visit(m, stack):
        state[m] = 1
        for d in graph[m]:
            if d.startswith(m + ".") or m == "fastbow":
                continue  # a package importing its own submodules lazily
            if state.get(d) == 1:
                pytest.fail("import cycle: " + " -> ".join([*stack, m, d]))
            if d not in state:
                visit(d, [*stack, m])
        state[m] = 2

    for m in graph:
        if m not in state:
            visit(m, [])


@pytest.mark.parametrize("stage", ["data", "training", "models", "baselines", "reporting", "evaluation", "estimators"])
def test_each_stage_folder_lists_its_files(stage):
    import importlib

    pkg = importlib.import_module(f"fastbow.{stage}")
    files = sorted(p.name for p in (ROOT / "fastbow" / stage).glob("*.py") if p.name != "__init__.py")
    for name in files:
        assert name in pkg.__doc__, f"fastbow/{stage}/__init__.py does not name {name}"


def test_python_m_fastbow_lists_the_commands():
    r = subprocess.run([sys.executable, "-m", "fastbow"], capture_output=True, text=True, check=True)
    for cmd in ("train", "evaluate", "predict", "stats", "sweep", "profile"):
        assert f"  {cmd} " in r.stdout


def test_unknown_command_is_one_line_error():
    r = subprocess.run([sys.executable, "-m", "fastbow", "trian"], capture_output=True, text=True)
    assert r.returncode == 2 and "unknown command 'trian'" in r.stderr
