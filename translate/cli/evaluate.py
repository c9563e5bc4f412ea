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


@eval_app.command("duplicates")
def eval_duplicates_cmd(
    target: str = typer.Argument(..., help="A latent model (run folder, generator or ONNX file) or a folder of images."),
    num: int = typer.Option(1000, "--num", help="Models: how many images to sample."),
    seed: int = typer.Option(0, "--seed", help="Seed of the latents and of the random batches."),
    psi: float = typer.Option(1.0, "--psi", help="Models: truncation psi (StyleGAN)."),
    reference: Optional[str] = typer.Option(None, "--reference", help="Real images: threshold = their 1% NN distance."),
    threshold: Optional[float] = typer.Option(None, "--threshold", help="Fixed RMS threshold (16x16 thumbs; 0.05)."),
    backend: str = typer.Option("torch", "--backend", help="torch | onnx."),
    pairs: Optional[str] = typer.Option(None, "--pairs", help="Save the closest pairs as a PNG here."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Birthday-paradox support estimate (Arora & Zhang 2017) of a generator's samples or a folder.

      translate eval duplicates runs/dcgan-digits --num 1000 --reference data/digits/train

      translate eval duplicates data/digits/train --json
    """
    from ..latent import duplicates, print_duplicates

    print_json_or(duplicates(target, num=num, seed=seed, psi=psi, reference=reference, threshold=threshold,
                             backend=backend, pairs_png=pairs), as_json, print_duplicates)
