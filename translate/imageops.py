"""Torch-free pre/post-processing shared by ``translate predict`` (torch) and ``translate.runtime``
(onnxruntime): PIL <-> [-1, 1] arrays, fitting to a working size, padding to the net's multiple.

Only numpy and pillow are imported here, so deployment code can use it without torch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image


def pil_to_array(img: Image.Image) -> np.ndarray:
    """RGB PIL image -> float32 [3, H, W] in [-1, 1]."""
    a = np.asarray(img.convert("RGB"), dtype=np.float32)  # [H, W, 3]
    return a.transpose(2, 0, 1) / 127.5 - 1.0


def array_to_pil(arr: np.ndarray) -> Image.Image:
    """float [3, H, W] in [-1, 1] -> RGB PIL image (rounded, clipped)."""
    a = np.clip((np.asarray(arr, dtype=np.float32) + 1.0) * 127.5, 0, 255)
    return Image.fromarray(np.rint(a).astype(np.uint8).transpose(1, 2, 0), "RGB")


def fit_longer_side(img: Image.Image, size: int, multiple: int = 1) -> Image.Image:
    """Resize so the longer side is ``size`` (aspect kept, bicubic); 0 keeps the image as it is."""
    if size <= 0:
        return img
    w, h = img.size
    scale = size / max(w, h)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    return img if (nw, nh) == (w, h) else img.resize((nw, nh), Image.BICUBIC)


@dataclass(frozen=True)
class Padding:
    """How an array was padded: original size and the pads added at the bottom/right."""

    height: int
    width: int
    pad_h: int
    pad_w: int


def pad_to_multiple(arr: np.ndarray, multiple: int) -> tuple[np.ndarray, Padding]:
    """[..., H, W] -> [..., H', W'] with H', W' multiples of ``multiple`` (reflect; edge if too small)."""
    h, w = arr.shape[-2:]
    ph, pw = (-h) % multiple, (-w) % multiple
    if ph == 0 and pw == 0:
        return arr, Padding(h, w, 0, 0)
    pads = [(0, 0)] * (arr.ndim - 2) + [(0, ph), (0, pw)]
    mode = "reflect" if ph < h and pw < w else "edge"  # reflection needs the pad smaller than the image
    return np.pad(arr, pads, mode=mode), Padding(h, w, ph, pw)


def crop_padding(arr: np.ndarray, pad: Padding) -> np.ndarray:
    """Undo :func:`pad_to_multiple`."""
    return arr[..., : pad.height, : pad.width]


def split_aligned(img: Image.Image, take: str = "A") -> Image.Image:
    """One half of an A|B side-by-side image (``take`` A = left, B = right)."""
    w, h = img.size
    half = w // 2
    return img.crop((0, 0, half, h)) if take == "A" else img.crop((half, 0, 2 * half, h))


def to_gray3(img: Image.Image) -> Image.Image:
    """Grayscale replicated to 3 channels (the colorization models' input)."""
    return img.convert("L").convert("RGB")
