"""``translate predict`` for image models: files/folders/globs in, PNGs out, bad inputs reported and skipped."""

from __future__ import annotations

from typing import Any, Sequence

from ..config import parse_override
from ..errors import ConfigError, InputError
from ..runtime.conditioning import condition
from ..runtime.files import MAX_PIXELS, translate_files, translate_strips
from .translator import open_translator


def parse_arch_options(items: Sequence[str]) -> dict[str, Any]:
    """``--arch-opt norm=instance`` items -> ``{"norm": "instance"}`` (values parsed as YAML)."""
    opts: dict[str, Any] = {}
    for it in items:
        keys, value = parse_override(it)
        opts[".".join(keys)] = value
    return opts


def predict_files(
    model: str, inputs: list[str], out: str, *, direction: str | None = None, net: str | None = None, size: int = 0,
    batch: int = 8, backend: str = "torch", arch: str | None = None, arch_opt: Sequence[str] = (), aligned: bool = False,
    train_mode: bool = False, device: str = "auto", domain: str | None = None, attrs: str | None = None,
    overwrite: bool = False, max_pixels: int = MAX_PIXELS, compile: str | None = None,
) -> int:
    """Translate every input image into ``out``; returns how many inputs failed (each reported).

    Inputs over ``max_pixels`` (width x height; 0: no limit) fail with an error naming ``--max-pixels``."""
    if not inputs:
        raise InputError("no inputs given (files, folders or globs; latent models such as dcgan/stylegan sample with --num N)")
    tr = open_translator(model, backend, direction=direction, net=net, arch=arch, arch_options=parse_arch_options(arch_opt),
                         train_mode=train_mode, device=device, compile=compile)
    cond: dict[str, Any] = {}
    if tr.info.kind == "image+domain":  # StarGAN: --domain NAME | all, --attrs (runtime/conditioning.py)
        if domain == "all":
            written, failed = translate_strips(tr, inputs, out, attrs=attrs, size=size, batch=batch, overwrite=overwrite,
                                               max_pixels=max_pixels)
            print(f"wrote {len(written)} image strip(s) to {out}")
            return failed
        cond["domain"] = condition(tr.info, tr.c_dim, domain, attrs)
    elif domain is not None or attrs is not None:
        raise ConfigError(f"--domain/--attrs: {model} is not a multi-domain model (kind {tr.info.kind!r})")
    written, failed = translate_files(tr, inputs, out, size=size, batch=batch, aligned=aligned, overwrite=overwrite,
                                     max_pixels=max_pixels, **cond)
    print(f"wrote {len(written)} image(s) to {out}")
    return failed
