"""Files, folders and globs in, PNGs out, through any translator (torch or onnxruntime).

``translate predict`` and ``OnnxTranslator.translate_files`` share this loop, so both backends read
inputs, name outputs and report bad files the same way. Torch-free: numpy/pillow only.
"""

from __future__ import annotations

import glob
import sys
from pathlib import Path
from typing import Any, Iterable

from . import processing as ops
from ..errors import InputError
from .imagefiles import load_image

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".gif", ".ppm", ".pgm")


def expand_inputs(inputs: Iterable[str | Path]) -> list[tuple[Path, Path]]:
    """Files, folders (recursive) and globs -> (file, relative output stem) pairs, in order."""
    out: list[tuple[Path, Path]] = []
    for raw in inputs:
        p = Path(raw)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES and not f.name.startswith("."))
            if not files:
                raise InputError(f"{p}: no images found (looked for {', '.join(IMAGE_SUFFIXES)})")
            out += [(f, f.relative_to(p).with_suffix("")) for f in files]
        elif p.is_file():
            out.append((p, Path(p.stem)))
        else:
            matches = sorted(glob.glob(str(raw), recursive=True))
            if not matches:
                raise InputError(f"{raw}: no such file, folder or matching glob")
            out += [(Path(m), Path(Path(m).stem)) for m in matches if Path(m).is_file()]
    return out


def output_path(out_dir: Path, rel: Path, used: set[Path]) -> Path:
    """``out_dir/rel.png``, made unique when two inputs share a stem (a.jpg, a.png)."""
    cand = out_dir / rel.with_suffix(".png")
    n = 1
    while cand in used:
        cand = out_dir / rel.parent / f"{rel.name}_{n}.png"
        n += 1
    used.add(cand)
    return cand


def translate_files(
    tr: Any, inputs: Iterable[str | Path], out: str | Path, *, size: int = 0, batch: int = 8,
    aligned: bool = False, **cond: Any,
) -> tuple[list[Path], int]:
    """Translate every input image with ``tr`` into ``out``; returns (written files, failed inputs).

    ``tr`` is anything with ``.info.direction`` and ``.translate(images, size=, batch_size=, **cond)``.
    Unreadable inputs are reported on stderr (one line each) and skipped. ``aligned``: inputs are
    A|B pairs and the model's source half is translated.
    """
    files = expand_inputs(inputs)
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    used: set[Path] = set()
    written: list[Path] = []
    failed = 0
    take = "B" if tr.info.direction == "BtoA" else "A"
    for s in range(0, len(files), batch):
        images, dests = [], []
        for f, rel in files[s : s + batch]:
            try:
                img = load_image(f)
            except InputError as exc:
                print(f"error: {exc}", file=sys.stderr)
                failed += 1
                continue
            images.append(ops.split_aligned(img, take) if aligned else img)
            dests.append(output_path(out_dir, rel, used))
        if not images:
            continue
        for im, dest in zip(tr.translate(images, size=size, batch_size=batch, **cond), dests):
            dest.parent.mkdir(parents=True, exist_ok=True)
            im.save(dest, format="PNG")
            written.append(dest)
    return written, failed
