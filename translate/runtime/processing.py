"""The one image processor: every conversion between pictures and the nets' [-1, 1] arrays.

PIL/uint8 <-> float32 [3, H, W] in [-1, 1] (training data, predict, the ONNX runtime, evaluation and
sample grids all convert here), fitting to a working size, padding to the net's input multiple and
cropping back, and image strips/grids. Only numpy and pillow are imported, so deployments use it
without torch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
from PIL import Image


def pil_to_array(img: Image.Image | np.ndarray) -> np.ndarray:
    """RGB PIL image (or uint8 [H, W, 3] / [H, W] array) -> float32 [3, H, W] in [-1, 1]."""
    a = np.asarray(img.convert("RGB") if isinstance(img, Image.Image) else img)
    if a.ndim == 2:
        a = np.repeat(a[..., None], 3, axis=2)
    return a.astype(np.float32).transpose(2, 0, 1) / 127.5 - 1.0  # [H, W, 3] -> [3, H, W]


def array_to_uint8(arr: np.ndarray) -> np.ndarray:
    """float [3, H, W], [1, H, W] or [H, W] in [-1, 1] -> uint8 [H, W, 3] (rounded, clipped)."""
    a = np.asarray(arr, dtype=np.float32)
    if a.ndim == 4 and a.shape[0] == 1:
        a = a[0]
    if a.ndim == 2:
        a = a[None]
    if a.ndim != 3 or a.shape[0] not in (1, 3):
        raise ValueError(f"expected an image array [3, H, W] or [1, H, W], got {tuple(a.shape)}")
    out = np.rint(np.clip((a + 1.0) * 127.5, 0, 255)).astype(np.uint8).transpose(1, 2, 0)  # [H, W, C]
    return np.repeat(out, 3, axis=2) if out.shape[2] == 1 else out


def array_to_pil(arr: np.ndarray) -> Image.Image:
    """float [3, H, W] in [-1, 1] -> RGB PIL image (rounded, clipped)."""
    return Image.fromarray(np.ascontiguousarray(array_to_uint8(arr)), "RGB")


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


def prepare_image(img: Image.Image, derive: str = "") -> Image.Image:
    """Model-specific input conditioning: colorization models see grayscale, the rest RGB."""
    return to_gray3(img) if derive == "colorization" else img.convert("RGB")


def fit_within(img: Image.Image, height: int, width: int) -> Image.Image:
    """Resize (aspect kept, bicubic) so the image fits in ``width`` x ``height`` touching one side."""
    w, h = img.size
    scale = min(width / w, height / h)
    nw, nh = max(1, min(width, round(w * scale))), max(1, min(height, round(h * scale)))
    return img if (nw, nh) == (w, h) else img.resize((nw, nh), Image.BICUBIC)


def pad_to_shape(arr: np.ndarray, height: int, width: int) -> tuple[np.ndarray, Padding]:
    """[..., h, w] -> [..., height, width] padded at the bottom/right (reflect; edge if too small)."""
    h, w = arr.shape[-2:]
    ph, pw = height - h, width - w
    if ph == 0 and pw == 0:
        return arr, Padding(h, w, 0, 0)
    pads = [(0, 0)] * (arr.ndim - 2) + [(0, ph), (0, pw)]
    mode = "reflect" if ph < h and pw < w else "edge"
    return np.pad(arr, pads, mode=mode), Padding(h, w, ph, pw)


def translate_images(
    images: Sequence[Image.Image],
    run: Callable[[np.ndarray], np.ndarray],
    *,
    multiple: int = 1,
    size: int = 0,
    batch_size: int = 8,
    prepare: Callable[[Image.Image], Image.Image] = prepare_image,
    fixed: tuple[int, int] | None = None,
) -> list[Image.Image]:
    """The size handling of every backend: prepare, fit, pad, batch same-shape inputs, run, crop back.

    ``run`` maps float32 [N, 3, H, W] in [-1, 1] (H, W multiples of ``multiple``) to the same shape.
    ``size`` > 0 processes each image with its longer side at ``size``. ``fixed`` = (H, W) is for
    graphs with static shapes: each image is fitted inside H x W, padded to it and cropped back.
    Outputs always have each input's size (bicubic resize back where the working size differed).
    """
    prepared = [prepare(im) for im in images]
    if fixed:
        prepared = [fit_within(im, *fixed) for im in prepared]
    else:
        prepared = [fit_longer_side(im, size) for im in prepared]
    # each image padded alone ([3, h, w] -> [3, H, W]), then batched by padded shape: inputs of a few
    # sizes that pad to one shape (photos 231-256 px tall for a 256-multiple net) share full batches
    padded = [pad_to_shape(a, *fixed) if fixed else pad_to_multiple(a, multiple) for a in map(pil_to_array, prepared)]
    outputs: list[Image.Image | None] = [None] * len(images)
    groups: dict[tuple[int, ...], list[int]] = {}
    for i, (a, _) in enumerate(padded):
        groups.setdefault(a.shape[1:], []).append(i)
    for idx in groups.values():
        for s in range(0, len(idx), max(1, batch_size)):
            chunk = idx[s : s + max(1, batch_size)]
            out = run(np.stack([padded[i][0] for i in chunk]))  # [n, 3, H, W]
            for i, o in zip(chunk, out):
                im = array_to_pil(crop_padding(o, padded[i][1]))
                if im.size != images[i].size:
                    im = im.resize(images[i].size, Image.BICUBIC)
                outputs[i] = im
    return outputs  # type: ignore[return-value]


# ----------------------------------------------------------------------------- strips and grids


def strip(images: Sequence[Image.Image]) -> Image.Image:
    """Images side by side (top-aligned) as one RGB image."""
    w, h = sum(im.width for im in images), max(im.height for im in images)
    canvas = Image.new("RGB", (w, h))
    x = 0
    for im in images:
        canvas.paste(im.convert("RGB"), (x, 0))
        x += im.width
    return canvas


def tile(arrays: np.ndarray, ncol: int, pad: int = 2) -> Image.Image:
    """[N, 3, S, S] in [-1, 1] -> one PIL grid image with ``ncol`` columns (white padding)."""
    n, c, h, w = arrays.shape
    nrow = -(-n // ncol)
    canvas = np.ones((c, nrow * (h + pad) + pad, ncol * (w + pad) + pad), np.float32)
    for i, a in enumerate(arrays):
        r, col = divmod(i, ncol)
        canvas[:, pad + r * (h + pad) : pad + r * (h + pad) + h, pad + col * (w + pad) : pad + col * (w + pad) + w] = a
    return array_to_pil(canvas)
