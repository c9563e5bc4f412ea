"""Albumentations pipelines built from ``DataConfig``; outputs RGB tensors in [-1, 1].

Training (``train=True``), following the pix2pix/CycleGAN reference ``--preprocess`` modes:

==========================  =================================================================
``resize_and_crop``         resize to load_size x load_size, random crop crop_size (default)
``crop``                    random crop crop_size at the original size
``scale_width``             width -> load_size, height keeps the aspect (at least crop_size)
``scale_width_and_crop``    scale_width, then random crop crop_size
``resize``                  resize to crop_size x crop_size
``none``                    keep the size
==========================  =================================================================

``center_crop`` (if > 0) runs first; a random horizontal flip (``flip``) and rounding both sides
to the nearest multiple of ``multiple`` (the reference's ``__make_power_2``) run last. Evaluation
(``train=False``) is deterministic: resize to crop_size (scale_width modes: width -> crop_size),
no crop, no flip. ``resize_filter`` picks how every resize is done (``RESIZE_FILTERS``):
``opencv`` (cv2 INTER_CUBIC; INTER_AREA when shrinking, which anti-aliases; the default) or
``pil_bicubic`` (PIL's bicubic with its anti-aliasing support, what the pix2pix/CycleGAN reference's
``transforms.Resize(..., BICUBIC)`` does on PIL images). The bundled recipes, the paper ones
included, keep ``opencv``: ``--set data.resize_filter=pil_bicubic`` gives the reference's resize.

Both images of a pair go through one call with identical random parameters (``additional_targets``);
all randomness comes from the ``numpy.random.Generator`` passed in, so a dataset item is a pure
function of ``(seed, epoch, index)``.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Sequence
from typing import Any

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")  # no version check over the network on import
import albumentations as A
import cv2
import numpy as np
import torch
from PIL import Image

from ..config import DataConfig
from ..registry import Registry
from .io import to_tensor

CUBIC = cv2.INTER_CUBIC
PREPROCESS: Registry[Callable[[DataConfig, bool], list]] = Registry("preprocess mode")


RESIZE_FILTERS: Registry[Callable[[np.ndarray, int, int], np.ndarray]] = Registry("resize filter")


@RESIZE_FILTERS.register("opencv")
def _resize_opencv(img: np.ndarray, w: int, h: int) -> np.ndarray:
    """Bicubic resize (area when shrinking both sides) of an [H, W, C] uint8 array."""
    shrink = w <= img.shape[1] and h <= img.shape[0]
    return cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA if shrink else CUBIC)


@RESIZE_FILTERS.register("pil_bicubic")
def _resize_pil_bicubic(img: np.ndarray, w: int, h: int) -> np.ndarray:
    """PIL bicubic (anti-aliased when shrinking), as torchvision's Resize on a PIL image."""
    return np.asarray(Image.fromarray(img).resize((w, h), Image.Resampling.BICUBIC))


def _resize_array(img: np.ndarray, w: int, h: int, resize_filter: str = "opencv") -> np.ndarray:
    """[H, W, C] uint8 -> [h, w, C] with the named filter (unchanged when already that size)."""
    if (img.shape[1], img.shape[0]) == (w, h):
        return img
    return RESIZE_FILTERS.get(resize_filter)(img, w, h)


class ResizeTo(A.ImageOnlyTransform):
    """Resize to ``width`` x ``height`` with a ``RESIZE_FILTERS`` filter."""

    def __init__(self, height: int, width: int, resize_filter: str = "opencv", p: float = 1.0) -> None:
        super().__init__(p=p)
        self.height, self.width, self.resize_filter = height, width, resize_filter

    def apply(self, img: np.ndarray, **params: Any) -> np.ndarray:
        return _resize_array(img, self.width, self.height, self.resize_filter)

    def get_transform_init_args_names(self) -> tuple[str, ...]:
        return ("height", "width", "resize_filter")


class ScaleWidth(A.ImageOnlyTransform):
    """Width -> ``width``, height keeps the aspect ratio but is at least ``min_height``."""

    def __init__(self, width: int, min_height: int = 0, resize_filter: str = "opencv", p: float = 1.0) -> None:
        super().__init__(p=p)
        self.width, self.min_height, self.resize_filter = width, min_height, resize_filter

    def apply(self, img: np.ndarray, **params: Any) -> np.ndarray:
        h, w = img.shape[:2]
        if w == self.width and h >= self.min_height:
            return img
        return _resize_array(img, self.width, int(max(self.width * h / w, self.min_height)), self.resize_filter)

    def get_transform_init_args_names(self) -> tuple[str, ...]:
        return ("width", "min_height", "resize_filter")


class MakeMultiple(A.ImageOnlyTransform):
    """Resize so both sides are the nearest multiple of ``multiple`` (at least one multiple)."""

    def __init__(self, multiple: int = 1, resize_filter: str = "opencv", p: float = 1.0) -> None:
        super().__init__(p=p)
        self.multiple, self.resize_filter = max(1, int(multiple)), resize_filter

    def apply(self, img: np.ndarray, **params: Any) -> np.ndarray:
        h, w = img.shape[:2]
        m = self.multiple
        nw, nh = max(m, round(w / m) * m), max(m, round(h / m) * m)
        return _resize_array(img, nw, nh, self.resize_filter)

    def get_transform_init_args_names(self) -> tuple[str, ...]:
        return ("multiple", "resize_filter")


def _resize(size: int, cfg: DataConfig) -> A.BasicTransform:
    return ResizeTo(size, size, cfg.resize_filter)


def _random_crop(size: int) -> A.BasicTransform:
    return A.RandomCrop(size, size, pad_if_needed=True, border_mode=cv2.BORDER_REFLECT_101)


@PREPROCESS.register("resize_and_crop")
def _resize_and_crop(cfg: DataConfig, train: bool) -> list:
    """Resize to load_size, random crop crop_size."""
    return [_resize(cfg.load_size, cfg), _random_crop(cfg.crop_size)] if train else [_resize(cfg.crop_size, cfg)]


@PREPROCESS.register("crop")
def _crop(cfg: DataConfig, train: bool) -> list:
    """Random crop crop_size at the original resolution."""
    return [_random_crop(cfg.crop_size)] if train else [_resize(cfg.crop_size, cfg)]


@PREPROCESS.register("scale_width")
def _scale_width(cfg: DataConfig, train: bool) -> list:
    """Width to load_size keeping the aspect ratio."""
    return [ScaleWidth(cfg.load_size if train else cfg.crop_size, cfg.crop_size, cfg.resize_filter)]


@PREPROCESS.register("scale_width_and_crop")
def _scale_width_and_crop(cfg: DataConfig, train: bool) -> list:
    """Width to load_size keeping the aspect ratio, then random crop crop_size."""
    if not train:
        return [ScaleWidth(cfg.crop_size, cfg.crop_size, cfg.resize_filter)]
    return [ScaleWidth(cfg.load_size, cfg.crop_size, cfg.resize_filter), _random_crop(cfg.crop_size)]


@PREPROCESS.register("resize")
def _resize_only(cfg: DataConfig, train: bool) -> list:
    """Resize to crop_size x crop_size."""
    return [_resize(cfg.crop_size, cfg)]


@PREPROCESS.register("none")
def _none(cfg: DataConfig, train: bool) -> list:
    """Keep the size (still rounded to the required multiple)."""
    return []


def seed_transforms(compose: A.BaseCompose, rng: np.random.Generator) -> None:
    """Give the compose and every transform in it an independent state drawn from ``rng``."""
    stack: list[Any] = [compose]
    while stack:
        t = stack.pop()
        t.set_random_state(
            np.random.default_rng(int(rng.integers(2**63))), random.Random(int(rng.integers(2**63)))
        )
        stack.extend(getattr(t, "transforms", []))


class Pipeline:
    """A seeded albumentations pipeline: ``pipe(rng, image=..., B=...) -> dict of [3, H, W] tensors``."""

    def __init__(self, transforms: list, targets: Sequence[str] = ()) -> None:
        self.targets = tuple(targets)
        self.compose = A.Compose(transforms, additional_targets={t: "image" for t in self.targets})

    def __call__(self, rng: np.random.Generator, **images: Image.Image | np.ndarray) -> dict[str, torch.Tensor]:
        """Apply one random draw to all images (same crop/flip); returns tensors in [-1, 1]."""
        arrays = {k: np.asarray(v) for k, v in images.items()}
        seed_transforms(self.compose, rng)
        out = self.compose(**arrays)
        return {k: to_tensor(out[k]) for k in arrays}  # [H, W, 3] uint8 -> [3, H, W] float

    def __repr__(self) -> str:
        return f"Pipeline({[type(t).__name__ for t in self.compose.transforms]}, targets={self.targets})"


def build_transform(
    cfg: DataConfig, train: bool = True, multiple: int = 1, targets: Sequence[str] = ()
) -> Pipeline:
    """The pipeline for ``cfg``; ``targets`` names extra images sharing the random parameters."""
    RESIZE_FILTERS.get(cfg.resize_filter)  # an unknown name fails here, naming the known ones
    steps: list = []
    if cfg.center_crop:
        c = cfg.center_crop
        steps.append(A.CenterCrop(c, c, pad_if_needed=True, border_mode=cv2.BORDER_REFLECT_101))
    steps += PREPROCESS.get(cfg.preprocess)(cfg, train)
    if train and cfg.flip:
        steps.append(A.HorizontalFlip(p=0.5))
    if multiple > 1:
        steps.append(MakeMultiple(multiple, cfg.resize_filter))
    return Pipeline(steps, targets)
