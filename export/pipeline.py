"""Folder in, folder out with an exported generator, on onnxruntime only (no torch).

    python export/pipeline.py model.onnx photos/ results/ --batch 8 [--providers cuda,cpu] [--size 512] [--max-pixels N]

Needs numpy, pillow, onnxruntime (or onnxruntime-gpu) and the ``translate`` package, whose
``translate.runtime`` never imports torch. Images are decoded on a background thread while the
previous batch runs; every output PNG has its input's size and relative path, named as
``translate predict`` names them (``translate.runtime.outputs``), never over an input or an existing file. Unreadable files are
reported on stderr and skipped (exit status 2 if any were).
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from translate.errors import InputError, TranslateError
from translate.runtime import OnnxTranslator
from translate.runtime.files import MAX_PIXELS, PIXELS_OPTION, expand_inputs
from translate.runtime.imagefiles import load_image
from translate.runtime.outputs import plan_outputs


def _load(item, max_pixels: int = MAX_PIXELS):
    """(image or None, source, output path) for one input file (over ``max_pixels``: reported, None)."""
    src, dest = item
    try:
        return load_image(src, max_pixels=max_pixels, limit_option=PIXELS_OPTION), src, dest
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None, src, dest


def run(model: str, inputs: list[str], out_dir: str, batch: int = 8, size: int = 0, providers: str | None = None,
        overwrite: bool = False, max_pixels: int = MAX_PIXELS) -> int:
    """Translate every image under ``inputs`` into ``out_dir``; returns the number of unreadable files."""
    tr = OnnxTranslator(model, providers)
    files = plan_outputs(expand_inputs(inputs), out_dir, overwrite=overwrite)  # names checked before any write
    out, failed, done = Path(out_dir), 0, 0
    t0 = time.perf_counter()
    chunks = [files[i : i + batch] for i in range(0, len(files), batch)]

    def load_chunk(chunk):
        return [_load(item, max_pixels) for item in chunk]

    with ThreadPoolExecutor(max_workers=2) as pool:
        pending = pool.submit(load_chunk, chunks[0]) if chunks else None
        for k in range(len(chunks)):
            loaded = pending.result()
            pending = pool.submit(load_chunk, chunks[k + 1]) if k + 1 < len(chunks) else None
            good = [(img, dest) for img, _, dest in loaded if img is not None]
            failed += len(loaded) - len(good)
            for result, (_, dest) in zip(tr.translate([g[0] for g in good], size=size, batch_size=batch), good):
                dest.parent.mkdir(parents=True, exist_ok=True)
                result.save(dest)
                done += 1
    secs = time.perf_counter() - t0
    print(f"{done} image(s) -> {out} in {secs:.1f} s on {tr.providers[0]} ({failed} unreadable)")
    return failed


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model", help="an .onnx file made by `translate export`")
    p.add_argument("inputs", nargs="+", help="input folder(s), files or globs; the last argument is the output folder")
    p.add_argument("--batch", type=int, default=8, help="images per run (same-size images are batched)")
    p.add_argument("--size", type=int, default=0, help="process with the longer side at PX (0: native size)")
    p.add_argument("--max-pixels", type=int, default=MAX_PIXELS,
                   help="largest input in pixels (width x height, read before decoding; 0: no limit); larger ones are skipped")
    p.add_argument("--overwrite", action="store_true", help="replace existing files in the output folder (or the inputs)")
    p.add_argument("--providers", default=None, help="e.g. cuda,cpu or tensorrt,cuda,cpu (default: best usable)")
    a = p.parse_args(argv)
    if len(a.inputs) < 2:
        p.error("give at least one input and the output folder")
    if a.max_pixels < 0:
        p.error(f"--max-pixels: expected 0 (no limit) or a positive pixel count, got {a.max_pixels}")
    try:
        return 2 if run(a.model, a.inputs[:-1], a.inputs[-1], a.batch, a.size, a.providers, a.overwrite, a.max_pixels) else 0
    except TranslateError as exc:  # bad model file, bad option, empty folder: one line
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
