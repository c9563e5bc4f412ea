"""``translate bench ...``."""

from __future__ import annotations

from typing import List

import typer

from .app import bench_app, print_json_or


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
    from ..bench import bench_train
    from ..report import print_bench

    print_json_or(bench_train(task, size, batch, steps, device=device, amp=amp, overrides=list(set_)), as_json, print_bench)


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
    from ..bench import bench_predict
    from ..report import print_bench

    print_json_or(bench_predict(model, size, batch, iters, device=device, backend=backend), as_json, print_bench)
