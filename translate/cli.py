"""The ``translate`` command line (typer). Each command is a thin layer over a library module.

Exit codes: 0 success, 2 bad usage or bad input (one line naming the file or option), 1 internal error.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from .errors import ConfigError, InputError, TranslateError

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


def _print_json_or(obj: dict, as_json: bool, human) -> None:
    if as_json:
        typer.echo(json.dumps(obj, indent=2, default=str))
    else:
        human(obj)


@app.command()
def train(
    task: str = typer.Argument(..., help="pix2pix | cyclegan | stargan | dcgan | stylegan"),
    data: Optional[str] = typer.Option(None, "--data", help="Data folder (layouts: datasets/README.md)."),
    config: Optional[str] = typer.Option(None, "--config", help="YAML file layered over the recipe."),
    recipe: Optional[str] = typer.Option(None, "--recipe", help="Recipe name in models/<task>/ (default: default)."),
    out: Optional[str] = typer.Option(None, "--out", help="Run folder (default runs/<task>-<time>)."),
    set_: List[str] = typer.Option([], "--set", help="Override any config key: --set optim.lr_g=1e-4 (repeatable)."),
    steps: Optional[int] = typer.Option(None, "--steps", help="Train for N steps (instead of epochs)."),
    epochs: Optional[int] = typer.Option(None, "--epochs", help="Train for N epochs."),
    size: Optional[int] = typer.Option(None, "--size", help="Crop size in px; also picks the net depth (unet_128 at 128)."),
    batch: Optional[int] = typer.Option(None, "--batch", help="Batch size per process."),
    resume: Optional[str] = typer.Option(None, "--resume", help="Continue the run in this folder from its latest checkpoint."),
    amp: bool = typer.Option(False, "--amp", help="Mixed precision on CUDA (bf16 where supported, else fp16)."),
    device: Optional[str] = typer.Option(None, "--device", help="auto | cpu | cuda | cuda:N."),
    direction: Optional[str] = typer.Option(None, "--direction", help="AtoB | BtoA."),
    layout: Optional[str] = typer.Option(None, "--layout", help="Data layout (default: auto-detect)."),
    derive: Optional[str] = typer.Option(None, "--derive", help="Derived pairs from photos: colorization | edges."),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="Skip unreadable images (counted) instead of stopping."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Random seed."),
) -> None:
    """Train a model. Examples:

      translate train pix2pix --data datasets/data/facades --direction BtoA --epochs 200

      translate train pix2pix --data photos/ --derive colorization --size 128 --steps 5000

      translate train pix2pix --resume runs/pix2pix-20261123-101500
    """
    from .launch import TrainArgs
    from .launch import train as run_train

    if steps is not None and epochs is not None:
        raise ConfigError("use either --steps or --epochs, not both")
    args = TrainArgs(task, data, config, recipe, size, batch, steps, epochs, amp, device, direction, layout, derive, skip_bad, seed, list(set_))
    run_dir = run_train(args, out=out, resume=resume)
    typer.echo(f"run folder: {run_dir}")


@app.command()
def predict(
    model: str = typer.Argument(..., help="Run folder, generator .safetensors, ONNX file or reference .pth."),
    inputs: List[str] = typer.Argument(None, help="Image files, folders or globs."),
    out: str = typer.Option(..., "--out", help="Output folder (PNG files named after the inputs)."),
    direction: Optional[str] = typer.Option(None, "--direction", help="AtoB | BtoA (CycleGAN)."),
    net: Optional[str] = typer.Option(None, "--net", help="Which generator of the file (G, G_A, G_B)."),
    size: int = typer.Option(0, "--size", help="Process with the longer side at PX, then resize back (0: native size)."),
    batch: int = typer.Option(8, "--batch", help="Images per forward pass."),
    backend: str = typer.Option("torch", "--backend", help="torch | onnx."),
    arch: Optional[str] = typer.Option(None, "--arch", help="Architecture of a reference .pth (unet_256, resnet_9blocks, ...)."),
    arch_opt: List[str] = typer.Option([], "--arch-opt", help="Option of a reference architecture: --arch-opt norm=instance."),
    aligned: bool = typer.Option(False, "--aligned", help="Inputs are A|B pairs: translate the model's source half."),
    train_mode: bool = typer.Option(False, "--train-mode", help="Reference test behaviour: dropout and batch statistics on."),
    device: str = typer.Option("auto", "--device", help="auto | cpu | cuda."),
) -> None:
    """Translate images with a trained model; outputs keep each input's size. Examples:

      translate predict runs/pix2pix-1 photos/ --out results/

      translate predict latest_net_G.pth img.jpg --arch unet_256 --out out/
    """
    from .predict import predict_files

    failed = predict_files(model, inputs or [], out, direction=direction, net=net, size=size, batch=batch, backend=backend,
                           arch=arch, arch_opt=arch_opt, aligned=aligned, train_mode=train_mode, device=device)
    if failed:
        raise InputError(f"{failed} input(s) could not be read (listed above); the others were written to {out}")


@app.command()
def info(
    name: str = typer.Argument(..., help="Task, network or loss name, run folder or model file."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    size: Optional[int] = typer.Option(None, "--size", help="For a task: the crop size to describe."),
) -> None:
    """Architecture, parameter counts, D receptive field, input multiple, domains.

      translate info pix2pix --json        translate info unet_256        translate info runs/pix2pix-1
    """
    from .describe import describe
    from .report import print_info

    _print_json_or(describe(name, size=size), as_json, print_info)


@bench_app.command("train")
def bench_train_cmd(
    task: str = typer.Argument(..., help="Task to benchmark."),
    size: int = typer.Option(256, "--size"), batch: int = typer.Option(1, "--batch"),
    steps: int = typer.Option(10, "--steps", help="Timed steps (after 2 warm-up steps)."),
    device: str = typer.Option("auto", "--device"), amp: bool = typer.Option(False, "--amp"),
    set_: List[str] = typer.Option([], "--set", help="Config overrides."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Training-step throughput on synthetic data: it/s, images/s, peak memory, GFLOP/s.

      translate bench train pix2pix --size 256 --batch 1
    """
    from .bench import bench_train
    from .report import print_bench

    _print_json_or(bench_train(task, size, batch, steps, device=device, amp=amp, overrides=list(set_)), as_json, print_bench)


@bench_app.command("predict")
def bench_predict_cmd(
    model: str = typer.Argument(..., help="Model file or run folder."),
    size: int = typer.Option(256, "--size"), batch: int = typer.Option(1, "--batch"),
    iters: int = typer.Option(10, "--iters"), backend: str = typer.Option("torch", "--backend", help="torch | onnx."),
    device: str = typer.Option("auto", "--device"), as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Inference latency and images/s of a generator.

      translate bench predict runs/pix2pix-1 --size 256 --batch 8 --backend onnx
    """
    from .bench import bench_predict
    from .report import print_bench

    _print_json_or(bench_predict(model, size, batch, iters, device=device, backend=backend), as_json, print_bench)


@eval_app.command("paired")
def eval_paired_cmd(
    models: List[str] = typer.Argument(..., help="Models to compare (run folders or generator files)."),
    data: str = typer.Option(..., "--data", help="Paired data folder."),
    split: str = typer.Option("val", "--split"),
    size: Optional[int] = typer.Option(None, "--size", help="Evaluation size (default: each model's training crop)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """L1, PSNR and SSIM of translations against targets, with the identity baseline.

      translate eval paired runs/p2p runs/p2p-l1only --data ../shared/data/silhouettes --split val
    """
    from .evaluate import eval_paired
    from .report import print_table

    _print_json_or(eval_paired(models, data, split, size), as_json, print_table)


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


if __name__ == "__main__":
    main()
