"""The typer application and sub-apps that the command modules register on.

"""

from __future__ import annotations

import json
import os
from typing import Any, Callable

import typer

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

app = typer.Typer(
    help="Image-to-image translation with GANs: pix2pix, CycleGAN, StarGAN, DCGAN, StyleGAN.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
bench_app = typer.Typer(help="Measure training and inference speed, memory and FLOP/s.", no_args_is_help=True)
eval_app = typer.Typer(help="Evaluate models and runs.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")
app.add_typer(eval_app, name="eval")


def print_json_or(obj: dict, as_json: bool, human: Callable[[dict], Any]) -> None:
    """Print ``obj`` as JSON (``--json``) or with the human-readable printer."""
    if as_json:
        typer.echo(json.dumps(obj, indent=2, default=str))
    else:
        human(obj)
