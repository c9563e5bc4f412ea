"""Mixed precision: autocast dtype and gradient scaler from ``train.amp`` and the device."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from typing import Any

import torch

from ..errors import ConfigError

_MODES = ("off", "auto", "bf16", "fp16")


@dataclass
class Precision:
    """Autocast settings for one run."""

    dtype: torch.dtype | None
    device_type: str
    scaler: Any  # torch.amp.GradScaler or None
    note: str = ""

    def autocast(self) -> contextlib.AbstractContextManager:
        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device_type, dtype=self.dtype)

    @property
    def name(self) -> str:
        return {None: "fp32", torch.bfloat16: "bf16", torch.float16: "fp16"}[self.dtype]


def make_precision(mode: str, device: torch.device) -> Precision:
    """``off`` | ``auto`` (bf16 if supported, else fp16) | ``bf16`` | ``fp16``; CUDA only."""
    if mode not in _MODES:
        raise ConfigError(f"train.amp: {mode!r} is not one of {', '.join(_MODES)}")
    if mode == "off":
        return Precision(None, device.type, None)
    if device.type != "cuda":
        return Precision(None, device.type, None, f"mixed precision ({mode}) needs CUDA; training in fp32 on {device.type}")
    if mode == "auto":
        mode = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    if mode == "bf16":
        return Precision(torch.bfloat16, "cuda", None)
    return Precision(torch.float16, "cuda", torch.amp.GradScaler("cuda"))


def pick_device(name: str) -> torch.device:
    """``auto`` -> cuda if available (per LOCAL_RANK), else mps, else cpu."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        dev = torch.device(name)
    except RuntimeError:
        raise ConfigError(f"--device {name!r}: not a device (try cpu, cuda, cuda:1, auto)") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f"--device {name}: CUDA is not available on this machine")
    return dev
