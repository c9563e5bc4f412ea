"""``translate export``."""

from __future__ import annotations

import json
from typing import List, Optional

import typer

from .common import app


@app.command()
def export(
    model: str = typer.Argument(..., help="Run folder, generator .safetensors or reference .pth (with --arch)."),
    out: str = typer.Option(..., "--out", help="Output FILE.onnx (with --all: FILE_AtoB.onnx, FILE_BtoA.onnx, ...)."),
    direction: Optional[str] = typer.Option(None, "--direction", help="AtoB | BtoA: which CycleGAN generator."),
    net: Optional[str] = typer.Option(None, "--net", help="Which generator of the file (G, G_A, G_B)."),
    all_nets: bool = typer.Option(False, "--all", help="Export every generator of the file, one ONNX file each."),
    fp16: bool = typer.Option(False, "--fp16", help="fp16 weights and compute; inputs/outputs stay float32."),
    fp16_instance_norm: bool = typer.Option(False, "--fp16-instance-norm",
                                            help="With --fp16: InstanceNorm in fp16 too (default keeps it float32)."),
    opset: int = typer.Option(18, "--opset", help="ONNX opset (the dynamo exporter writes 18 and converts when asked)."),
    static_size: int = typer.Option(0, "--static-size",
                                     help="Fix height and width to PX (a multiple of the net's input multiple); 0: dynamic."),
    static_batch: int = typer.Option(0, "--static-batch", help="Fix the batch size to N; 0: dynamic."),
    exporter: str = typer.Option("auto", "--exporter", help="auto (dynamo, TorchScript if it fails) | dynamo | torchscript."),
    arch: Optional[str] = typer.Option(None, "--arch", help="Architecture of a reference .pth (unet_256, resnet_9blocks, ...)."),
    arch_opt: List[str] = typer.Option([], "--arch-opt", help="Option of a reference architecture: --arch-opt norm=instance."),
    int8: bool = typer.Option(False, "--int8", help="Static INT8 quantisation (onnxruntime.quantization) after the fp32 "
                                                     "export and its parity check; needs --calibration. Prints PSNR vs fp32."),
    calibration: Optional[str] = typer.Option(None, "--calibration",
                                              help="--int8: folder of real input images (e.g. the training folder)."),
    calibration_size: int = typer.Option(256, "--calibration-size", help="--int8: calibration images' longer side in px."),
) -> None:
    """Export a generator to ONNX and check it against torch (two sizes, batch 2); exit 1 on a mismatch.

    The graph takes NCHW float32 in [-1, 1] named `input` (+ `domain` for StarGAN; `z`, `y`, `psi`
    for latent models) and returns `output`; eval mode; EMA weights when the run kept them.

      translate export runs/pix2pix-1 --out pix2pix.onnx

      translate export runs/cyclegan-1 --all --out horse2zebra.onnx       # _AtoB.onnx + _BtoA.onnx

      translate export latest_net_G.pth --arch resnet_9blocks --out g.onnx --fp16 --static-size 256

      translate export runs/pix2pix-1 --out p2p_int8.onnx --int8 --calibration data/facades/train
    """
    from ..errors import ConfigError
    from ..export.exporter import ExportOptions, export_model
    from ..inference.predict import parse_arch_options

    for flag, value in (("--static-size", static_size), ("--static-batch", static_batch), ("--opset", opset)):
        if value < 0:
            raise ConfigError(f"{flag}: must be >= 0, got {value}")

    if int8 and (fp16 or not calibration):
        raise ConfigError("--int8: needs --calibration DIR (real input images) and cannot be combined with --fp16")
    if calibration and not int8:
        raise ConfigError("--calibration: only with --int8")
    if calibration:
        from ..runtime.files import expand_inputs

        expand_inputs([calibration])  # a missing or image-less folder fails now, not after the export
    opts = ExportOptions(opset=opset, fp16=fp16, static_size=static_size, static_batch=static_batch, exporter=exporter,
                         fp16_instance_norm=fp16_instance_norm)
    reports = export_model(model, out, net=net, direction=direction, all_nets=all_nets, arch=arch,
                           arch_options=parse_arch_options(arch_opt), options=opts)
    for r in reports:
        if int8:
            from ..export.quantize import quantize_int8

            q = quantize_int8(r.path, calibration, calibration_size)
            typer.echo(f"int8 {q.path}: {q.fp32_mib:.1f} -> {q.int8_mib:.1f} MiB; PSNR vs fp32 outputs {q.psnr_db:.1f} dB "
                       f"(median over {q.images} calibration images)")
        shape = ", ".join(f"{i['name']} {i['shape']}" for i in json.loads(r.meta.get("inputs", "[]")))
        mb, precision = r.path.stat().st_size / 2**20, "int8" if int8 else r.precision
        typer.echo(f"wrote {r.path} ({r.net}, {precision}, opset {r.opset}, {r.exporter}, {mb:.1f} MiB; inputs {shape})")
