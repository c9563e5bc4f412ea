"""``translate info``."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from .common import app, print_json_or


@app.command()
def info(
    name: str = typer.Argument(..., help="Task, network or loss name, run folder or model file."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    size: Optional[int] = typer.Option(None, "--size", help="For a task: the crop size to describe."),
    arch: Optional[str] = typer.Option(None, "--arch", help="Architecture of a reference .pth/.ckpt (unet_256, resnet_9blocks, ...)."),
    arch_opt: List[str] = typer.Option([], "--arch-opt", help="Option of a reference architecture: --arch-opt norm=instance."),
) -> None:
    """Architecture, parameter counts, D receptive field, input multiple, domains.

      translate info pix2pix --json        translate info unet_256        translate info runs/pix2pix-1

      translate info model.onnx            translate info latest_net_G.pth --arch unet_256
    """
    from ..runtime.describe import describe_file
    from .report import print_info

    d = describe_file(name, arch) if Path(name).exists() else None  # ONNX files: no torch needed
    if d is None:
        from ..inference.predict import parse_arch_options
        from ..tasks.describe import describe

        d = describe(name, size=size, arch=arch, arch_options=parse_arch_options(arch_opt))
    print_json_or(d, as_json, print_info)
