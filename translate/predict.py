"""``translate predict``: files/folders/globs in, PNGs out, bad inputs reported and skipped."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from PIL import Image

from . import imageops as ops
from .config import parse_override
from .errors import InputError


def open_translator(model: str, backend: str = "torch", **kwargs: Any) -> Any:
    """A Translator (torch) or OnnxTranslator for ``model``; ``.onnx`` files always use onnxruntime."""
    if backend == "onnx" or str(model).lower().endswith(".onnx"):
        from .runtime import OnnxTranslator

        onnx_kwargs = {k: v for k, v in kwargs.items() if k in ("direction",) and v}
        return OnnxTranslator(model, **onnx_kwargs)
    from .infer import Translator

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
    train_mode: bool = False, device: str = "auto", **cond: Any,
) -> int:
    """Translate every input image into ``out``; returns how many inputs failed (each reported)."""
    from .data.io import load_image
    from .infer import expand_inputs, output_path

    if not inputs:
        raise InputError("no inputs given (files, folders or globs)")
    tr = open_translator(model, backend, direction=direction, net=net, arch=arch, arch_options=_arch_options(list(arch_opt)),
                         train_mode=train_mode, device=device)
    files = expand_inputs(inputs)
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    used: set[Path] = set()
    failed = 0
    take = "B" if (tr.info.direction == "BtoA") else "A"
    for s in range(0, len(files), batch):
        chunk = files[s : s + batch]
        images, dests = [], []
        for f, rel in chunk:
            try:
                img = load_image(f)
            except InputError as exc:
                print(f"error: {exc}", file=sys.stderr)
                failed += 1
                continue
            if aligned:
                img = ops.split_aligned(img, take)
            images.append(img)
            dests.append(output_path(out_dir, rel, used))
        if not images:
            continue
        for im, dest in zip(tr.translate(images, size=size, batch_size=batch, **cond), dests):
            dest.parent.mkdir(parents=True, exist_ok=True)
            im.save(dest, format="PNG")
    print(f"wrote {len(used)} image(s) to {out_dir}")
    return failed


def save_png(img: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, format="PNG")
