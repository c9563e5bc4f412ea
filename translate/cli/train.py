"""``translate train``."""

from __future__ import annotations

from typing import List, Optional

import typer

from ..errors import ConfigError, Interrupted
from .common import app


@app.command()
def train(
    task: str = typer.Argument(..., help="pix2pix | cyclegan | stargan | dcgan | stylegan | progan"),
    data: Optional[str] = typer.Option(None, "--data", help="Data folder (layouts: datasets/README.md)."),
    config: Optional[str] = typer.Option(None, "--config",
                                          help="YAML file layered over the recipe (options given on the command line, and --set, win)."),
    recipe: Optional[str] = typer.Option(None, "--recipe", help="Recipe name in models/<task>/ (default: default)."),
    out: Optional[str] = typer.Option(None, "--out", help="Run folder (default runs/<task>-<time>)."),
    set_: List[str] = typer.Option([], "--set", help="Override any config key: --set optim.lr_g=1e-4 (repeatable)."),
    steps: Optional[int] = typer.Option(None, "--steps", help="Train for N steps (instead of epochs)."),
    epochs: Optional[int] = typer.Option(None, "--epochs", help="Train for N epochs."),
    size: Optional[int] = typer.Option(None, "--size", help="Crop size in px; also picks the net depth (unet_128 at 128)."),
    batch: Optional[int] = typer.Option(None, "--batch", help="Batch size per process."),
    resume: Optional[str] = typer.Option(None, "--resume", help="Continue RUN (newest loadable checkpoint) or RUN/checkpoints/step_N."),
    amp: bool = typer.Option(False, "--amp", help="Mixed precision on CUDA (bf16 where supported, else fp16)."),
    device: Optional[str] = typer.Option(None, "--device", help="auto | cpu | cuda | cuda:N."),
    direction: Optional[str] = typer.Option(None, "--direction", help="AtoB | BtoA."),
    layout: Optional[str] = typer.Option(None, "--layout", help="Data layout (default: auto-detect)."),
    derive: Optional[str] = typer.Option(None, "--derive", help="Derived pairs from photos: colorization | edges."),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="Skip unreadable images (counted) instead of stopping."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Random seed."),
    shared_settings: bool = typer.Option(False, "--shared-settings",
                                         help="With --set gan.loss=NAME: keep the recipe's optimiser, n_critic and penalty "
                                              "instead of the objective's own settings (docs/objectives.md)."),
) -> None:
    """Train a model. Examples:

      translate train pix2pix --data datasets/data/facades --direction BtoA --epochs 200

      translate train pix2pix --data photos/ --derive colorization --size 128 --steps 5000

      translate train pix2pix --resume runs/pix2pix-20261123-101500

      translate train pix2pix --resume runs/pix2pix-20261123-101500/checkpoints/step_00005000

      translate train dcgan --data digits/ --set gan.loss=wgan-gp   (starts from WGAN-GP's Adam 1e-4, n_critic 5, GP)

    SIGINT/SIGTERM (Ctrl-C, timeout, Slurm, systemd) stop at the next step with a checkpoint (exit 130/143).
    """
    from ..evaluation import train_eval  # noqa: F401  (registers the train.eval_metrics evaluator)
    from ..tasks.launch import TrainArgs
    from ..tasks.launch import train as run_train

    if steps is not None and epochs is not None:
        raise ConfigError("use either --steps or --epochs, not both")
    args = TrainArgs(task, data, config, recipe, size, batch, steps, epochs, amp, device, direction, layout, derive, skip_bad, seed,
                     list(set_), shared_settings)
    try:
        run_dir = run_train(args, out=out, resume=resume)
    except Interrupted as exc:  # SIGINT/SIGTERM: the exit checkpoint is written; exit like the signal would
        typer.echo(f"{exc}; continue with --resume", err=True)
        raise typer.Exit(128 + exc.signum) from None
    typer.echo(f"run folder: {run_dir}")
