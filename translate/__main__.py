"""``python -m translate`` == the ``translate`` console script (``translate.__main__:main``).

The base install is the torch-free runtime; a command that needs a library of an extra (torch for
training, gradio for the app, onnxruntime for ONNX files) ends with one line naming the extra to
install (exit 2) instead of a ModuleNotFoundError traceback.
"""

from __future__ import annotations

import sys

from .errors import MissingExtra


def _command(argv: list[str]) -> str:
    words = [a for a in argv if not a.startswith("-")][:2]
    group = words[:2] if words[:1] in (["bench"], ["eval"], ["datasets"]) else words[:1]
    return "`translate " + " ".join(group) + "`" if group else "this command"


def main(argv: list[str] | None = None) -> None:
    """Run the command line; a missing optional library becomes ``error: ... pip install "gan-translate[EXTRA]"``."""
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        from .cli import main as cli_main

        cli_main(args)
    except ModuleNotFoundError as exc:
        err = MissingExtra.from_import(exc, _command(args))
        if err is None:
            raise
        print(f"error: {err}", file=sys.stderr)
        sys.exit(err.exit_code)


if __name__ == "__main__":
    main()
