"""``translate eval ...``."""

from __future__ import annotations

from typing import List, Optional

import typer

from .app import eval_app, print_json_or


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
    from ..evaluate import eval_paired
    from ..report import print_table

    print_json_or(eval_paired(models, data, split, size), as_json, print_table)


@eval_app.command("cycle")
def eval_cycle_cmd(
    model: str = typer.Argument(..., help="CycleGAN run folder or generator file."),
    data: str = typer.Option(..., "--data", help="Unpaired data folder (<split>A/ and <split>B/)."),
    split: str = typer.Option("test", "--split"),
    size: Optional[int] = typer.Option(None, "--size", help="Evaluation size (default: the model's training crop)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Cycle-reconstruction L1 (A->B->A, B->A->B) and translation change, with the identity baseline.

      translate eval cycle runs/cyclegan --data ../shared/data/silhouettes_unpaired --split test
    """
    from ..evaluate_cycle import eval_cycle
    from ..report import print_table

    print_json_or(eval_cycle(model, data, split, size), as_json, print_table)
