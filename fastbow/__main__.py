"""``python -m fastbow``: list the commands (each is ``python -m fastbow.<name>`` or ``fastbow <name>``)."""
from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "train": "train the multi-hot MLP and write a run folder (metrics.json, model.pt, vocab.json)",
    "evaluate": "score labelled data with a trained run: per-class precision/recall/F1, confusion matrix",
    "predict": "score new texts with a trained run",
    "stats": "dataset and vocabulary statistics (SEED.md I.1, I.2, II.1, II.4)",
    "sweep": "learning-rate / batch-size sweeps and the shuffle ablation",
    "profile": "where a training step's time goes (data, transfer, forward, backward, optimizer)",
}


def usage() -> str:
    """The command list printed by ``python -m fastbow`` (str)."""
    width = max(map(len, COMMANDS))
    lines = ["usage: fastbow <command> [options]   (or: python -m fastbow.<command> [options])", "", "commands:"]
    lines += [f"  {name:<{width}}  {text}" for name, text in COMMANDS.items()]
    lines += ["", "'fastbow <command> --help' documents each command's flags."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run ``fastbow <command> ...`` (the console script), or print :func:`usage`.

    Returns:
        int: the exit status (0 for the list, 2 for an unknown command).
    """
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"error: unknown command {name!r}; choose one of: {', '.join(COMMANDS)}", file=sys.stderr)
        return 2
    return importlib.import_module(f"fastbow.{name}").main(rest)


def console() -> None:
    """The ``fastbow`` console script: :func:`main`, then :func:`fastbow.cli.exit_process` with its status."""
    from fastbow.cli import exit_process

    exit_process(main())


if __name__ == "__main__":
    console()
