"""Files, folders and globs in, PNGs out, through any translator (torch or onnxruntime backend).

``translate predict``, ``OnnxTranslator.translate_files`` and ``export/pipeline.py`` share this
loop, so every backend reads inputs, names outputs and reports bad files the same way. Decoding
of the next batch and PNG encoding of the last one run on background threads while the model
runs (:func:`prefetch`, ``_Saver``); inputs that pad to one shape are batched (``processing.translate_images``). Also the
user cache folder that exports, TensorRT engines and evaluation classifiers are kept in.
Torch-free: numpy/pillow only.
"""

from __future__ import annotations

import glob
import os
import queue
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterable, Iterator, TypeVar

from ..errors import InputError
from . import processing as ops
from .conditioning import all_targets
from .imagefiles import IMG_EXTENSIONS, is_image_file, load_image
from .outputs import plan_outputs

MAX_PIXELS = 40_000_000  # default decoded size limit of an input to translate (width x height; 0: none)
PIXELS_OPTION = "raise --max-pixels"  # the knob the pixel-limit error names (predict, export/pipeline.py)


def cache_dir(*parts: str) -> Path:
    """``$TRANSLATE_CACHE`` (or ``$XDG_CACHE_HOME``/``~/.cache`` + ``gan-translate``) / ``parts``."""
    env = os.environ.get("TRANSLATE_CACHE")
    root = Path(env) if env else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gan-translate"
    return root.joinpath(*parts)


def expand_inputs(inputs: Iterable[str | Path]) -> list[tuple[Path, Path]]:
    """Files, folders (recursive) and globs -> (file, relative output stem) pairs, in order."""
    out: list[tuple[Path, Path]] = []
    for raw in inputs:
        p = Path(raw)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and is_image_file(f))
            if not files:
                raise InputError(f"{p}: no images found (looked for {', '.join(IMG_EXTENSIONS)})")
            out += [(f, f.relative_to(p).with_suffix("")) for f in files]
        elif p.is_file():
            out.append((p, Path(p.stem)))
        else:
            matches = sorted(glob.glob(str(raw), recursive=True))
            if not matches:
                raise InputError(f"{raw}: no such file, folder or matching glob")
            out += [(Path(m), Path(Path(m).stem)) for m in matches if Path(m).is_file()]
    return out


def _load_batches(inputs: Iterable[str | Path], out: str | Path, batch: int, overwrite: bool = False,
                  max_pixels: int = MAX_PIXELS, limit_option: str = PIXELS_OPTION,
                  ) -> Iterable[tuple[list[Any], list[Path], int]]:
    """(images, output paths, unreadable count) per batch of inputs; bad files reported on stderr.

    An input over ``max_pixels`` (width x height, read from the header before decoding) is a bad
    file whose one-line error names ``limit_option``.

    Every output path is planned (and checked against the inputs and existing files) before the
    first image is written: ``translate.runtime.outputs.plan_outputs``.
    """
    plan = plan_outputs(expand_inputs(inputs), out, overwrite=overwrite)
    Path(out).mkdir(parents=True, exist_ok=True)
    for s in range(0, len(plan), batch):
        images, dests, failed = [], [], 0
        for f, dest in plan[s : s + batch]:
            try:
                images.append(load_image(f, max_pixels=max_pixels, limit_option=limit_option))
            except InputError as exc:
                print(f"error: {exc}", file=sys.stderr)
                failed += 1
                continue
            dests.append(dest)
        yield images, dests, failed


def _save(img: Any, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    img.save(dest, format="PNG")
    return dest


T = TypeVar("T")
_DONE = object()


def prefetch(items: Iterable[T], depth: int = 1) -> Iterator[T]:
    """``items`` produced by a background thread up to ``depth`` ahead (decoding overlaps the model run).

    Pillow releases the GIL while it decodes, so the next batch loads while the current one runs;
    an exception in the producer is raised here, at the item where it happened."""
    q: queue.Queue = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()

    def produce() -> None:
        try:
            for it in items:
                if stop.is_set():
                    return
                q.put((True, it))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            q.put((False, exc))
            return
        q.put((True, _DONE))

    worker = threading.Thread(target=produce, daemon=True)
    worker.start()
    try:
        while True:
            ok, it = q.get()
            if not ok:
                raise it
            if it is _DONE:
                return
            yield it
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            try:
                q.get_nowait()
            except queue.Empty:
                worker.join(0.01)


class _Saver:
    """PNG encoding and writing on a background thread (overlaps the next batch's run); ``done()`` waits for all."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="translate-save")
        self.pending: list[Future] = []

    def save(self, img: Any, dest: Path) -> None:
        self.pending.append(self.pool.submit(_save, img, dest))

    def done(self) -> list[Path]:
        try:
            return [f.result() for f in self.pending]
        finally:
            self.pool.shutdown(wait=True)


def translate_files(
    tr: Any, inputs: Iterable[str | Path], out: str | Path, *, size: int = 0, batch: int = 8,
    aligned: bool = False, overwrite: bool = False, max_pixels: int = MAX_PIXELS, limit_option: str = PIXELS_OPTION,
    **cond: Any,
) -> tuple[list[Path], int]:
    """Translate every input image with ``tr`` into ``out``; returns (written files, failed inputs).

    ``tr`` is a ``translate.runtime.translator.Translator``. Unreadable inputs are reported on stderr
    (one line each) and skipped. ``aligned``: inputs are A|B pairs and the model's source half is
    translated. Outputs are named by ``translate.runtime.outputs.plan_outputs``; nothing is written
    over an input or an existing file unless ``overwrite``. Inputs over ``max_pixels`` are bad files.
    """
    take = "B" if tr.info.direction == "BtoA" else "A"
    saver = _Saver()
    failed = 0
    try:
        for images, dests, bad in prefetch(_load_batches(inputs, out, batch, overwrite, max_pixels, limit_option)):
            failed += bad
            if not images:
                continue
            images = [ops.split_aligned(im, take) for im in images] if aligned else images
            for im, d in zip(tr.translate(images, size=size, batch_size=batch, **cond), dests):
                saver.save(im, d)
    finally:
        written = saver.done()
    return written, failed


def translate_strips(tr: Any, inputs: Iterable[str | Path], out: str | Path, *, attrs: str | None = None,
                     size: int = 0, batch: int = 8, overwrite: bool = False, max_pixels: int = MAX_PIXELS,
                     limit_option: str = PIXELS_OPTION) -> tuple[list[Path], int]:
    """``--domain all``: ``out/<name>.png`` = input | output for domain 1 | ... ; returns (written, failed)."""
    targets = all_targets(tr.info, tr.c_dim, attrs)
    written: list[Path] = []
    failed = 0
    for images, dests, bad in _load_batches(inputs, out, batch, overwrite, max_pixels, limit_option):
        failed += bad
        columns = [tr.translate(images, size=size, batch_size=batch, domain=vec) for _, vec in targets] if images else []
        written += [_save(ops.strip([images[j]] + [col[j] for col in columns]), d) for j, d in enumerate(dests)]
    return written, failed
