"""The ``translate`` command line (typer). Each command is a thin layer over a library module.

Command modules register on the shared app in ``cli/app.py``; add a module and import it here.
Exit codes: 0 success, 2 bad usage or bad input (one line naming the file or option), 1 internal error.
"""

from __future__ import annotations

import sys

import typer

from ..errors import TranslateError
from . import bench, datasets, evaluate, export, info, predict, serve, train  # noqa: F401,E402  (command registration)
from .common import app


def main(argv: list[str] | None = None) -> None:
    """Console entry point with the exit-code contract."""
    try:
        app(args=argv, prog_name="translate")
    except TranslateError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
