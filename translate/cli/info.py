"""``translate info``."""

from __future__ import annotations

from typing import Optional

import typer

from .common import app, print_json_or


@app.command()
def info(
    name: str = typer.Argument(..., help="Task, network or loss name, run folder or model file."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    size: Optional[int] = typer.Option(None, "--size", help="For a task: the crop size to describe."),
) -> None:
    """Architecture, parameter counts, D receptive field, input multiple, domains.

      translate info pix2pix --json        translate info unet_256        translate info runs/pix2pix-1
    """
    from ..tasks.describe import describe
    from .report import print_info

    print_json_or(describe(name, size=size), as_json, print_info)
