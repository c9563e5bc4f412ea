"""Training images as tensors and back: [-1, 1] float tensors <-> PIL images, PNG saving.

Decoding and listing are ``translate.runtime.imagefiles`` (the one image loader) and the pixel
mapping is ``translate.runtime.processing`` (the one image processor); this module only adds the
torch side of both.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from ..runtime.processing import array_to_uint8, pil_to_array


def to_tensor(img: Image.Image | np.ndarray) -> torch.Tensor:
    """RGB PIL image or uint8 [H, W, 3] array -> float tensor [3, H, W] in [-1, 1]."""
    return torch.from_numpy(pil_to_array(img))


def to_uint8(x: torch.Tensor | np.ndarray) -> np.ndarray:
    """Tensor/array [3, H, W] or [1, H, W] or [H, W] in [-1, 1] (or uint8 [H, W, 3]) -> uint8 [H, W, 3]."""
    if isinstance(x, np.ndarray) and x.dtype == np.uint8:
        return x if x.ndim == 3 else np.repeat(x[..., None], 3, axis=2)
    arr = x.detach().float().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x, dtype=np.float32)
    return array_to_uint8(arr)


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
