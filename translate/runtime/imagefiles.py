"""Image files: listing, safe decoding of every PIL mode to RGB, pixel limits (torch-free).

The one image loader of the project: training data, ``translate predict`` on either backend, the
web demo and evaluation all read images here; only numpy and pillow are imported.
Every failure raises ``InputError`` whose message starts with the file path and whose ``path``
attribute holds it, so a dataset can skip or report the file::

    x/3.jpg: truncated or corrupt image (image file is truncated)
    x/a.txt: not an image file
    x/big.png: 12000x12000 = 144.0 MP exceeds the 40.0 MP limit (raise data.max_pixels)
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import InputError

IMG_EXTENSIONS: tuple[str, ...] = (  # the one list of image suffixes (data, predict, evaluation)
    ".jpg", ".jpeg", ".png", ".bmp", ".ppm", ".pgm", ".pbm", ".tif", ".tiff", ".webp", ".gif",
)
_BACKGROUNDS = {"white": (255, 255, 255), "black": (0, 0, 0)}


def input_error(path: str | Path, reason: str) -> InputError:
    """An ``InputError`` ``"<path>: <reason>"`` that also carries ``.path``."""
    err = InputError(f"{path}: {reason}")
    err.path = str(path)  # type: ignore[attr-defined]
    return err


# ----------------------------------------------------------------------------- listing


def natural_key(path: str | Path) -> list:
    """Sort key that orders numbers numerically: 2.jpg < 10.jpg (case-insensitive)."""
    parts = re.split(r"(\d+)", str(path).lower())
    return [(0, int(p), p) if p.isdigit() else (1, 0, p) for p in parts]


def is_image_file(path: str | Path) -> bool:
    """True when the name has an image extension and is not hidden."""
    p = Path(path)
    return p.suffix.lower() in IMG_EXTENSIONS and not p.name.startswith(".")


def list_images(folder: str | Path, recursive: bool = False) -> list[Path]:
    """Image files in ``folder`` (hidden files/folders skipped), naturally sorted."""
    root = Path(folder)
    if not root.is_dir():
        return []
    if recursive:
        found = [
            p for p in root.rglob("*")
            if is_image_file(p) and p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(root).parts)
        ]
    else:
        found = [p for p in root.iterdir() if is_image_file(p) and p.is_file()]
    return sorted(found, key=lambda p: natural_key(p.relative_to(root)))


# ----------------------------------------------------------------------------- mode conversion


def _background(alpha: str) -> tuple[int, int, int]:
    try:
        return _BACKGROUNDS[alpha]
    except KeyError:
        raise InputError(f"data.alpha: expected white or black, got {alpha!r}") from None


def _flatten(img: Image.Image, alpha: str) -> Image.Image:
    """Composite a transparent image over the background colour -> RGB."""
    rgba = img.convert("RGBA")
    bg = Image.new("RGBA", rgba.size, _background(alpha) + (255,))
    return Image.alpha_composite(bg, rgba).convert("RGB")


def _gray_to_rgb(arr: np.ndarray) -> Image.Image:
    """uint8 [H, W] -> RGB image."""
    return Image.fromarray(np.ascontiguousarray(arr), "L").convert("RGB")


def _int16(img: Image.Image, alpha: str) -> Image.Image:
    """16-bit grayscale: 0..65535 -> 0..255 by scaling (PIL's convert would clip)."""
    a = np.asarray(img).astype(np.float64)
    return _gray_to_rgb(np.clip(np.rint(a / 257.0), 0, 255).astype(np.uint8))


def _int32(img: Image.Image, alpha: str) -> Image.Image:
    """32-bit int: treated as 16-bit data when within 0..65535, else min-max scaled."""
    a = np.asarray(img).astype(np.float64)
    if a.size and a.min() >= 0 and a.max() <= 65535:
        return _gray_to_rgb(np.rint(a / 257.0).astype(np.uint8))
    return _gray_to_rgb(_minmax(a))


def _float(img: Image.Image, alpha: str) -> Image.Image:
    """32-bit float: 0..1 data scaled by 255, any other range min-max scaled."""
    a = np.nan_to_num(np.asarray(img).astype(np.float64))
    if a.size and a.min() >= 0.0 and a.max() <= 1.0:
        return _gray_to_rgb(np.rint(a * 255.0).astype(np.uint8))
    return _gray_to_rgb(_minmax(a))


def _minmax(a: np.ndarray) -> np.ndarray:
    lo, hi = (float(a.min()), float(a.max())) if a.size else (0.0, 0.0)
    if hi <= lo:
        return np.zeros(a.shape, np.uint8)
    return np.rint((a - lo) * (255.0 / (hi - lo))).astype(np.uint8)


def _palette(img: Image.Image, alpha: str) -> Image.Image:
    if "transparency" in img.info:
        return _flatten(img, alpha)
    return img.convert("RGB")


def _plain(img: Image.Image, alpha: str) -> Image.Image:
    return img.convert("RGB")


def _premultiplied(img: Image.Image, alpha: str) -> Image.Image:
    """La/RGBa (premultiplied alpha): un-premultiply, then flatten."""
    return _flatten(img.convert("LA" if img.mode == "La" else "RGBA"), alpha)


# mode -> converter to RGB; add an entry to support another mode
CONVERTERS: dict[str, Callable[[Image.Image, str], Image.Image]] = {
    "RGB": lambda img, alpha: img,
    "1": _plain,
    "L": _plain,
    "LA": _flatten,
    "PA": _flatten,
    "RGBA": _flatten,
    "RGBX": _plain,
    "RGBa": _premultiplied,
    "La": _premultiplied,
    "P": _palette,
    "I;16": _int16,
    "I;16L": _int16,
    "I;16B": _int16,
    "I;16N": _int16,
    "I": _int32,
    "F": _float,
    "CMYK": _plain,
    "YCbCr": _plain,
    "LAB": _plain,
    "HSV": _plain,
}


def to_rgb(img: Image.Image, alpha: str = "white", path: str | Path = "<image>") -> Image.Image:
    """Convert any supported PIL mode to RGB explicitly (transparency over ``alpha`` colour)."""
    conv = CONVERTERS.get(img.mode)
    if conv is None:
        raise input_error(path, f"unsupported image mode {img.mode!r}")
    return conv(img, alpha)


# ----------------------------------------------------------------------------- loading


def _megapixels(n: int) -> str:
    return f"{n / 1e6:.1f}" if n >= 100_000 else f"{n / 1e6:.3g}"


LIMIT_OPTION = "raise data.max_pixels"  # what the error tells the user to change; callers name their own knob


def check_pixels(path: str | Path, size: tuple[int, int], max_pixels: int, limit_option: str = LIMIT_OPTION) -> None:
    """Raise when ``width * height`` exceeds ``max_pixels`` (0 = no limit)."""
    w, h = size
    if max_pixels and w * h > max_pixels:
        raise input_error(
            path,
            f"{w}x{h} = {_megapixels(w * h)} MP exceeds the {_megapixels(max_pixels)} MP limit ({limit_option})",
        )


def _allow_pixels(max_pixels: int) -> None:
    """Raise PIL's global decompression-bomb limit to ours where ours is larger (0: no limit)."""
    limit = Image.MAX_IMAGE_PIXELS
    if limit is not None and (not max_pixels or max_pixels > limit):
        Image.MAX_IMAGE_PIXELS = max_pixels or None


def _bomb(path: str | Path, exc: Exception, max_pixels: int, limit_option: str) -> InputError:
    """PIL refused a header at twice its own limit (which is >= ours): report it like ours."""
    m = re.search(r"\((\d+) pixels\)", str(exc))
    size = f"{_megapixels(int(m.group(1)))} MP" if m else "the image"
    return input_error(path, f"{size} exceeds the {_megapixels(max_pixels)} MP limit ({limit_option})")


@contextmanager
def _opened(path: str | Path, max_pixels: int, limit_option: str = LIMIT_OPTION) -> Iterator[Image.Image]:
    """``Image.open`` whose every failure becomes a one-line InputError naming the file."""
    _allow_pixels(max_pixels)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                yield img
    except InputError:
        raise
    except Image.DecompressionBombError as exc:
        raise _bomb(path, exc, max_pixels, limit_option) from None
    except FileNotFoundError:
        raise input_error(path, "file not found") from None
    except IsADirectoryError:
        raise input_error(path, "is a folder, not an image file") from None
    except UnidentifiedImageError:
        raise input_error(path, "not an image file") from None
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
        raise input_error(path, f"truncated or corrupt image ({exc})") from None


def open_header(path: str | Path, max_pixels: int = 40_000_000) -> tuple[tuple[int, int], str]:
    """``((width, height), mode)`` from the header only (no decoding); raises InputError."""
    with _opened(path, max_pixels) as img:
        size, mode = img.size, img.mode
    check_pixels(path, size, max_pixels)
    return size, mode


def _exif_upright(img: Image.Image) -> Image.Image:
    """Apply the EXIF orientation; a malformed EXIF block leaves the image as stored."""
    try:
        return ImageOps.exif_transpose(img) or img
    except Exception:  # noqa: BLE001 - EXIF parsing errors come in many types
        return img


def load_image(path: str | Path, max_pixels: int = 40_000_000, alpha: str = "white",
               limit_option: str = LIMIT_OPTION) -> Image.Image:
    """Decode ``path`` fully to an RGB PIL image (size checked first, EXIF orientation applied).

    ``limit_option``: the knob the pixel-limit error names (the web demo: the server's ``--max-pixels``).
    """
    with _opened(path, max_pixels, limit_option) as img:
        check_pixels(path, img.size, max_pixels, limit_option)  # header only, before decoding
        img.load()
        upright = _exif_upright(img)
        out = to_rgb(upright, alpha, path)
        return out.copy() if out is img else out
