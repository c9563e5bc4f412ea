"""The typer application and sub-apps that the command modules register on.

"""

from __future__ import annotations

import json
import os
from typing import Any, Callable

import typer
from typer.core import TyperGroup

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

app = typer.Typer(
    help="Image-to-image translation with GANs: pix2pix, CycleGAN, StarGAN, DCGAN, StyleGAN.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
COMPILE_HELP = ("torch backend: run the generator through torch.compile (inductor, frozen weights). The first batch "
                "compiles (about 15-50 s on a 2-core CPU), later ones run faster (docs/results.md).")
bench_app = typer.Typer(help="Measure training and inference speed, memory and FLOP/s.", no_args_is_help=True)


class EvalGroup(TyperGroup):
    """``translate eval``: a first word that names no command is a metric list (``eval fid,kid TARGET``)."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["samples", *args]
        return super().resolve_command(ctx, args)


eval_app = typer.Typer(
    cls=EvalGroup, no_args_is_help=True,
    help="Evaluate models and runs: `translate eval METRICS TARGET --real DIR` (METRICS: a comma list of "
         "fid, kid, is, mode-score, pr, dc, mmd, 1nn, swd) or one of the commands below.",
)
app.add_typer(bench_app, name="bench")
app.add_typer(eval_app, name="eval")


def print_json_or(obj: dict, as_json: bool, human: Callable[[dict], Any]) -> None:
    """Print ``obj`` as JSON (``--json``) or with the human-readable printer."""
    if as_json:
        typer.echo(json.dumps(obj, indent=2, default=str))
    else:
        human(obj)
