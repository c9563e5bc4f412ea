"""Request handling of the web demo, independent of gradio: validate uploads, run a model, write PNGs.

Every user mistake (no image, not an image, corrupt or truncated file, too many pixels or bytes, a
bad control value) raises ``InputError`` with one line naming the uploaded file; the UI layer shows
it and the server keeps serving. Outputs are written as PNG (lossless) into a per-request folder
under a temporary root that is pruned as it ages.
"""

from __future__ import annotations

import atexit
import base64
import binascii
import os
import re
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from ..errors import InputError
from ..runtime.imagefiles import load_image
from .catalogue import ModelEntry
from .controls import kind_controls
from .postprocess import post_for


@dataclass
class Limits:
    """What one request may ask of the server."""

    max_pixels: int = 24_000_000  # decoded size of an upload (width x height)
    max_file_mb: float = 25.0  # upload size, enforced by the server before a handler runs
    max_batch: int = 16  # files per batch request
    min_work: int = 32  # working size bounds (longer side, px)
    max_work: int = 1024

    def clamp_work(self, size: int) -> int:
        """``size`` within the working-size bounds."""
        return max(self.min_work, min(self.max_work, int(size)))


@dataclass
class Result:
    """One translated image: what the model saw, what it made, and the PNG written for download."""

    before: Image.Image
    after: Image.Image
    png: Path


class Outputs:
    """Per-request output folders under one temporary root; folders older than ``keep_s`` are removed."""

    PREFIX = "translate-app-"

    def __init__(self, root: str | Path | None = None, keep_s: float = 3600.0) -> None:
        if root is None:
            sweep_dead_roots()
            root = tempfile.mkdtemp(prefix=f"{self.PREFIX}{os.getpid()}-")
            atexit.register(shutil.rmtree, root, True)  # our own temporary root goes when the server does
            _exit_on_signals()  # SIGTERM/SIGHUP run atexit too (SIGINT already does: KeyboardInterrupt)
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.keep_s = keep_s

    def new(self) -> Path:
        """A fresh folder for one request (and a sweep of expired ones)."""
        now = time.time()
        for d in self.root.iterdir():
            try:
                if d.is_dir() and now - d.stat().st_mtime > self.keep_s:
                    shutil.rmtree(d, ignore_errors=True)
            except OSError:
                pass
        return Path(tempfile.mkdtemp(dir=self.root))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_dead_roots(tmp: str | Path | None = None) -> list[Path]:
    """Remove ``translate-app-<pid>-*`` roots of servers that are gone (killed with -9); returns them."""
    gone = []
    for d in Path(tmp or tempfile.gettempdir()).glob(f"{Outputs.PREFIX}*-*"):
        pid = d.name[len(Outputs.PREFIX):].split("-", 1)[0]
        if d.is_dir() and pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(d, ignore_errors=True)
            gone.append(d)
    return gone


def _exit_on_signals() -> None:
    """SIGTERM and SIGHUP exit through ``sys.exit`` so atexit handlers (the temp root) run; main thread only."""
    import signal
    import sys
    import threading

    if threading.current_thread() is not threading.main_thread():
        return
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None and signal.getsignal(sig) in (signal.SIG_DFL, None):
            signal.signal(sig, lambda s, _f: sys.exit(128 + s))


def upload_name(path: str | Path) -> str:
    """The name the user knows a file by (gradio keeps the original name as the basename)."""
    return Path(path).name


def upload_path(payload: Any, folder: Path) -> str | None:
    """The file behind an upload payload (gradio FileData dict, or a path); inline data URLs are saved in ``folder``."""
    if payload is None or isinstance(payload, (str, Path)):
        return str(payload) if payload else None
    if not isinstance(payload, dict):
        raise InputError("the upload did not arrive as a file (try again)")
    if payload.get("path"):
        return str(payload["path"])
    url = str(payload.get("url") or "")
    if url.startswith("data:") and "," in url:  # some paste/webcam paths send the image inline
        try:
            data = base64.b64decode(url.split(",", 1)[1], validate=False)
        except (binascii.Error, ValueError):
            raise InputError("the pasted or captured image could not be decoded") from None
        path = folder / "pasted-image"
        path.write_bytes(data)
        return str(path)
    return None


def _safe_stem(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).stem).strip("._")
    return stem[:60] or "image"


def read_upload(path: str | Path | None, limits: Limits) -> Image.Image:
    """Decode an uploaded file to RGB with the project's loader; every failure is one InputError line."""
    if path is None or str(path) == "":
        raise InputError("no image given: upload, drop, paste or capture a photo first")
    name = upload_name(path)
    try:
        size = os.path.getsize(path)
    except OSError:
        raise InputError(f"{name}: the upload did not arrive (try again)") from None
    if size > limits.max_file_mb * 1e6:
        raise InputError(f"{name}: {size / 1e6:.1f} MB exceeds the {limits.max_file_mb:g} MB upload limit")
    try:
        return load_image(path, max_pixels=limits.max_pixels, limit_option="the server's --max-pixels")
    except InputError as exc:
        raise InputError(str(exc).replace(str(path), name)) from None


def clamp_work_size(entry: ModelEntry, work: Any, limits: Limits) -> int:
    """The working size for a request: the slider's value within bounds (0/None: the model's own)."""
    try:
        w = int(work or 0)
    except (TypeError, ValueError):
        raise InputError(f"working size {work!r}: expected a number of pixels") from None
    return limits.clamp_work(w if w > 0 else entry.work_size())


def _translator(entry: ModelEntry, values: dict[str, Any]) -> Any:
    direction = values.get("direction") or None
    choices = entry.directions()
    if direction and choices and direction not in choices:
        raise InputError(f"direction {direction!r}: {entry.name} translates {' or '.join(choices)}")
    return entry.translator(direction if direction and choices else None)


def _prepare(tr: Any, img: Image.Image) -> Image.Image:
    prep = getattr(tr, "prepare", None)  # what the model sees (colorization: grayscale)
    return prep(img) if prep else img


def save_png(img: Image.Image, folder: Path, stem: str) -> Path:
    path = folder / f"{stem}.png"
    img.save(path, format="PNG")
    return path


def translate_one(entry: ModelEntry, path: str | Path | None, values: dict[str, Any], work: Any, limits: Limits, out: Path) -> Result:
    """Translate one uploaded image; the output has the upload's size and is written as PNG."""
    tr = _translator(entry, values)
    kind = kind_controls(tr.info)
    if not kind.needs_image:
        raise InputError(f"{entry.name} generates images from a seed; use Generate")
    img = read_upload(path, limits)
    cond = kind.conditioning(tr.info, values)
    size = clamp_work_size(entry, work, limits)
    after = _post(tr, img, tr.translate([img], size=size, **cond)[0], values)
    png = save_png(after, out, f"{_safe_stem(upload_name(path))}_{_safe_stem(entry.name)}")
    return Result(_prepare(tr, img), after, png)


def _post(tr: Any, photo: Image.Image, output: Image.Image, values: dict[str, Any]) -> Image.Image:
    """Apply the model's optional post-processing when the request asks for it (``values["post"]``)."""
    post = post_for(tr.info)
    wanted = values.get("post")
    if post is None or not (post.default if wanted is None else bool(wanted)):
        return output
    return post.fn(photo, output)


def generate(entry: ModelEntry, values: dict[str, Any], out: Path) -> list[Path]:
    """Samples of an unconditional model as PNG files (seeded: the same values give the same images)."""
    tr = _translator(entry, values)
    kind = kind_controls(tr.info)
    if kind.needs_image:
        raise InputError(f"{entry.name} translates images; upload one and press Translate")
    cond = kind.conditioning(tr.info, values)
    images = tr.sample(cond["num"], cond["seed"], cond["psi"])
    return [save_png(im, out, f"{_safe_stem(entry.name)}_seed{cond['seed']}_{i:02d}") for i, im in enumerate(images)]


def translate_batch(
    entry: ModelEntry, paths: list[str | Path] | None, values: dict[str, Any], work: Any, limits: Limits, out: Path
) -> tuple[list[tuple[Path, str]], Path, list[str]]:
    """Translate several uploads: (PNG, caption) pairs, a zip of the PNGs and one message per bad file."""
    paths = [p for p in (paths or []) if p]
    if not paths:
        raise InputError("no files given: choose or drop one or more images")
    if len(paths) > limits.max_batch:
        raise InputError(f"{len(paths)} files: a batch takes at most {limits.max_batch}")
    tr = _translator(entry, values)
    kind = kind_controls(tr.info)
    if not kind.needs_image:
        raise InputError(f"{entry.name} generates images from a seed; batch mode is for image models")
    cond = kind.conditioning(tr.info, values)
    size = clamp_work_size(entry, work, limits)
    done: list[tuple[Path, str]] = []
    errors: list[str] = []
    used: set[str] = set()
    for p in paths:
        try:
            img = read_upload(p, limits)
        except InputError as exc:
            errors.append(str(exc))
            continue
        stem, n = _safe_stem(upload_name(p)), 1
        while stem in used:
            stem, n = f"{_safe_stem(upload_name(p))}_{n}", n + 1
        used.add(stem)
        after = _post(tr, img, tr.translate([img], size=size, **cond)[0], values)
        done.append((save_png(after, out, stem), upload_name(p)))
    if not done:
        raise InputError("no image could be read: " + "; ".join(errors))
    archive = out / f"{_safe_stem(entry.name)}_results.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as z:  # PNGs are compressed already
        for png, _ in done:
            z.write(png, png.name)
    return done, archive, errors
