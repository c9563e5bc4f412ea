"""``translate predict``: files/folders/globs in, PNGs out, bad inputs reported and skipped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image

from ..config import parse_override
from ..errors import ConfigError, InputError


DEVICE_PROVIDERS = {"auto": None, "cpu": ["cpu"], "cuda": ["cuda", "cpu"]}


def open_translator(model: str, backend: str = "torch", **kwargs: Any) -> Any:
    """A Translator (torch) or OnnxTranslator for ``model``; ``.onnx`` files always use onnxruntime.

    ``backend="onnx"`` with a torch model (run folder, generator file, reference .pth) exports it
    first to the cache of ``translate.onnx.cached_export`` (parity-checked, reused while the model
    file is unchanged) and runs that.
    """
    if backend not in ("torch", "onnx"):
        raise ConfigError(f"--backend: expected torch or onnx, got {backend!r}")
    is_onnx = str(model).lower().endswith(".onnx")
    if backend == "onnx" or is_onnx:
        from ..runtime import OnnxTranslator

        if kwargs.get("train_mode"):
            raise ConfigError("--train-mode needs --backend torch: ONNX exports run in eval mode")
        device = kwargs.get("device") or "auto"
        if device not in DEVICE_PROVIDERS:
            raise ConfigError(f"--device {device}: the onnx backend takes auto, cpu or cuda")
        sel = {k: kwargs.get(k) for k in ("direction", "net")}
        if not is_onnx:
            from ..export.exporter import cached_export

            model = str(cached_export(model, arch=kwargs.get("arch"), arch_options=kwargs.get("arch_options"), **sel))
        elif kwargs.get("arch"):
            raise ConfigError("--arch is only for reference .pth/.ckpt files; ONNX files describe themselves")
        return OnnxTranslator(model, DEVICE_PROVIDERS[device], **sel)
    from .translator import Translator

    return Translator(model, **kwargs)


def _arch_options(items: list[str]) -> dict[str, Any]:
    opts: dict[str, Any] = {}
    for it in items:
        keys, value = parse_override(it)
        opts[".".join(keys)] = value
    return opts


def predict_files(
    model: str, inputs: list[str], out: str, *, direction: str | None = None, net: str | None = None, size: int = 0,
    batch: int = 8, backend: str = "torch", arch: str | None = None, arch_opt: list[str] = (), aligned: bool = False,
    train_mode: bool = False, device: str = "auto", domain: str | None = None, attrs: str | None = None, **cond: Any,
) -> int:
    """Translate every input image into ``out``; returns how many inputs failed (each reported)."""
    from ..runtime.files import translate_files

    if not inputs:
        raise InputError("no inputs given (files, folders or globs; latent models such as dcgan/stylegan sample with --num N)")
    tr = open_translator(model, backend, direction=direction, net=net, arch=arch, arch_options=_arch_options(list(arch_opt)),
                         train_mode=train_mode, device=device)
    if tr.info.kind == "image+domain":  # StarGAN: --domain NAME | all, --attrs (translate/domains.py)
        from ..runtime.conditioning import condition, model_c_dim, translate_strips

        if domain == "all":
            written, failed = translate_strips(tr, inputs, out, model_c_dim(tr), attrs=attrs, size=size, batch=batch)
            print(f"wrote {len(written)} image strip(s) to {out}")
            return failed
        cond["domain"] = condition(tr.info, model_c_dim(tr), domain, attrs)
    elif domain is not None or attrs is not None:
        raise ConfigError(f"--domain/--attrs: {model} is not a multi-domain model (kind {tr.info.kind!r})")
    written, failed = translate_files(tr, inputs, out, size=size, batch=batch, aligned=aligned, **cond)
    print(f"wrote {len(written)} image(s) to {out}")
    return failed


def save_png(img: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, format="PNG")
