"""``translate predict``."""

from __future__ import annotations

from typing import List, Optional

import typer

from ..errors import ConfigError, InputError
from ..runtime.files import MAX_PIXELS
from .common import COMPILE_HELP, app


@app.command()
def predict(
    model: str = typer.Argument(..., help="Run folder, generator .safetensors, ONNX file or reference .pth."),
    inputs: List[str] = typer.Argument(None, help="Image files, folders or globs."),
    out: str = typer.Option(..., "--out", help="Output folder: cat.jpg -> cat.png (inputs sharing a name: cat_jpg.png, cat_png.png)."),
    overwrite: bool = typer.Option(False, "--overwrite",
                                   help="Replace files already in --out (or the inputs themselves); refused without it."),
    direction: Optional[str] = typer.Option(None, "--direction", help="AtoB | BtoA (CycleGAN)."),
    net: Optional[str] = typer.Option(None, "--net", help="Which generator of the file (G, G_A, G_B)."),
    size: int = typer.Option(0, "--size", help="Process with the longer side at PX, then resize back (0: native size)."),
    max_pixels: int = typer.Option(MAX_PIXELS, "--max-pixels",
                                   help="Largest input in pixels (width x height, read before decoding; 0: none); larger are skipped."),
    batch: int = typer.Option(8, "--batch", help="Images per forward pass."),
    backend: str = typer.Option("torch", "--backend", help="torch | onnx."),
    arch: Optional[str] = typer.Option(None, "--arch", help="Architecture of a reference .pth (unet_256, resnet_9blocks, ...)."),
    arch_opt: List[str] = typer.Option([], "--arch-opt", help="Option of a reference architecture: --arch-opt norm=instance."),
    aligned: bool = typer.Option(False, "--aligned", help="Inputs are A|B pairs: translate the model's source half."),
    train_mode: bool = typer.Option(False, "--train-mode", help="Reference test behaviour: dropout and batch statistics on."),
    device: str = typer.Option("auto", "--device", help="auto | cpu | cuda."),
    compile_: bool = typer.Option(False, "--compile", help=COMPILE_HELP),
    domain: Optional[str] = typer.Option(None, "--domain",
                                          help="StarGAN target domain NAME (multi-label: NAME,NAME set to 1), or all (strip per input)."),
    attrs: Optional[str] = typer.Option(None, "--attrs", help='StarGAN multi-label targets "Blond_Hair=1,Male=0" (unnamed: 0).'),
    num: int = typer.Option(0, "--num", help="Latent models (dcgan, stylegan): images to sample (or strips, or grid rows)."),
    seed: int = typer.Option(0, "--seed", help="Latent models: seed of the latents (same seed, same images)."),
    psi: float = typer.Option(1.0, "--psi", help="Latent models: truncation psi (StyleGAN; 1 = none, 0 = the average image)."),
    interpolate: int = typer.Option(0, "--interpolate", help="Latent models: write --num strips of K images between latents."),
    slerp: bool = typer.Option(False, "--slerp", help="With --interpolate: spherical instead of linear interpolation."),
    mix_grid: bool = typer.Option(False, "--mix-grid", help="StyleGAN: style-mixing grid (--num rows and columns)."),
    class_: Optional[str] = typer.Option(None, "--class", help="Class-conditional models: class index or name (comma list)."),
) -> None:
    """Translate images with a trained model; outputs keep each input's size. Examples:

      Outputs are PNGs named after the inputs (a folder's sub-folders are kept): cat.jpg -> OUT/cat.png;
      inputs that share a name (cat.jpg, cat.png) are named by their full name: cat_jpg.png, cat_png.png.
      Nothing is written over an input or a file already in --out unless --overwrite.

      translate predict runs/pix2pix-1 photos/ --out results/

      translate predict latest_net_G.pth img.jpg --arch unet_256 --out out/

      translate predict runs/stargan faces/ --attrs "Blond_Hair=1,Male=0" --out out/   (--domain all: one strip per input)
      translate predict runs/dcgan-1 --num 64 --seed 1 --out samples/     (latent models: no inputs)

      translate predict runs/stylegan-1 --num 4 --interpolate 8 --slerp --psi 0.7 --out strips/
    """
    if max_pixels < 0:
        raise ConfigError(f"--max-pixels: expected 0 (no limit) or a positive pixel count, got {max_pixels}")
    if num or interpolate or mix_grid or class_ is not None:
        from ..inference.latent import predict_latent

        if inputs:
            raise InputError("--num/--interpolate/--mix-grid sample a latent model: give no input images")
        if compile_:
            raise ConfigError("--compile: image-to-image models only (latent sampling runs eager)")
        predict_latent(model, out, num=num, seed=seed, psi=psi, classes=class_, interpolate=interpolate, slerp=slerp,
                       mix_grid=mix_grid, backend=backend, net=net, device=device, batch=batch,
                       overwrite=overwrite)
        return
    from ..inference.predict import predict_files

    failed = predict_files(model, inputs or [], out, direction=direction, net=net, size=size, batch=batch, backend=backend,
                           arch=arch, arch_opt=arch_opt, aligned=aligned, train_mode=train_mode, device=device,
                           domain=domain, attrs=attrs, overwrite=overwrite, max_pixels=max_pixels,
                           compile="default" if compile_ else None)
    if failed:
        raise InputError(f"{failed} input(s) could not be read (listed above); the others were written to {out}")
