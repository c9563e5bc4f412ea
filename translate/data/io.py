"""Image files in and out for training data: decoding (from ``translate.imageio``), tensors, saving.

Listing, mode conversion and safe loading live in the torch-free ``translate.imageio`` (so the
onnxruntime backend shares them without importing torch); every name is re-exported here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from ..errors import InputError  # noqa: F401  (re-exported)
from ..runtime.imagefiles import (  # noqa: F401  (re-exported: translate.data.io keeps every name)
    _BACKGROUNDS,
    CONVERTERS,
    IMG_EXTENSIONS,
    _allow_pixels,
    _background,
    _bomb,
    _exif_upright,
    _flatten,
    _float,
    _gray_to_rgb,
    _int16,
    _int32,
    _megapixels,
    _minmax,
    _opened,
    _palette,
    _plain,
    _premultiplied,
    check_pixels,
    input_error,
    is_image_file,
    list_images,
    load_image,
    natural_key,
    open_header,
    to_rgb,
)


# ----------------------------------------------------------------------------- tensors


def to_tensor(img: Image.Image | np.ndarray) -> torch.Tensor:
    """RGB PIL image or uint8 [H, W, 3] array -> float tensor [3, H, W] in [-1, 1]."""
    arr = np.asarray(img.convert("RGB") if isinstance(img, Image.Image) else img)
    if arr.ndim == 2:
        arr = np.repeat(arr[..., None], 3, axis=2)
    arr = np.ascontiguousarray(arr) if arr.flags.writeable else np.array(arr)
    t = torch.from_numpy(arr).permute(2, 0, 1).float()  # [H, W, 3] -> [3, H, W]
    return t / 127.5 - 1.0


def to_uint8(x: torch.Tensor | np.ndarray) -> np.ndarray:
    """Tensor/array [3, H, W] or [1, H, W] or [H, W] in [-1, 1] -> uint8 [H, W, 3]."""
    if isinstance(x, np.ndarray) and x.dtype == np.uint8:
        arr = x
        return arr if arr.ndim == 3 else np.repeat(arr[..., None], 3, axis=2)
    t = torch.as_tensor(np.asarray(x) if isinstance(x, np.ndarray) else x).detach().float().cpu()
    if t.ndim == 4 and t.shape[0] == 1:
        t = t[0]
    if t.ndim == 2:
        t = t[None]
    if t.ndim != 3 or t.shape[0] not in (1, 3):
        raise ValueError(f"expected an image tensor [3, H, W] or [1, H, W], got {tuple(t.shape)}")
    t = ((t.clamp(-1, 1) + 1.0) * 127.5).round().to(torch.uint8)
    arr = t.permute(1, 2, 0).numpy()  # [C, H, W] -> [H, W, C]
    return np.repeat(arr, 3, axis=2) if arr.shape[2] == 1 else arr


def to_pil(x: torch.Tensor | np.ndarray) -> Image.Image:
    """Tensor [3, H, W] in [-1, 1] (or uint8 [H, W, 3]) -> RGB PIL image."""
    return Image.fromarray(np.ascontiguousarray(to_uint8(x)), "RGB")


def save_image(x: torch.Tensor | np.ndarray | Image.Image, path: str | Path) -> Path:
    """Write an image (tensor [3, H, W] in [-1, 1], uint8 array or PIL) as PNG; returns the path."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    img = x.convert("RGB") if isinstance(x, Image.Image) else to_pil(x)
    fmt = Image.registered_extensions().get(p.suffix.lower(), "PNG")  # unknown suffix -> PNG
    tmp = p.with_name(f".{p.name}.tmp")  # written whole, then renamed
    img.save(tmp, format=fmt)
    tmp.replace(p)
    return p
