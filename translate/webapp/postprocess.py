"""Optional, labelled post-processing of a model's output in the web demo, keyed by derived-pair kind.

``colorization``: keep the upload's own luminance (at its full resolution) and take only the colour
(YCbCr chroma) from the model's output. A colorization model adds colour; the detail it would
otherwise have to reproduce through its working size comes from the photo itself. The UI shows
this as a checkbox (on by default) and the model card says so; with it off the demo returns the
model's raw output.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from PIL import Image

from ..registry import Registry


@dataclass(frozen=True)
class PostProcess:
    """A named post-processing step: ``fn(photo, output) -> image`` (both RGB, same size)."""

    label: str
    info: str
    fn: Callable[[Image.Image, Image.Image], Image.Image]
    default: bool = True


POSTPROCESS: Registry[PostProcess] = Registry("post-processing")


def keep_luminance(photo: Image.Image, output: Image.Image) -> Image.Image:
    """The photo's luma (Y) with the output's chroma (Cb, Cr)."""
    y = photo.convert("L")  # ITU-R 601 luma, as the colorization pairs' input
    _, cb, cr = output.resize(photo.size, Image.BICUBIC).convert("YCbCr").split()
    return Image.merge("YCbCr", (y, cb, cr)).convert("RGB")


POSTPROCESS.add("colorization", PostProcess(
    "Keep the photo's own detail (luminance)",
    "colour from the model, brightness and sharpness from your photo at full resolution",
    keep_luminance,
))


def post_for(info: Any) -> PostProcess | None:
    """The post-processing offered for a model (by its ``derive`` kind), if any."""
    return POSTPROCESS.get(info.derive) if info.derive and info.derive in POSTPROCESS else None
