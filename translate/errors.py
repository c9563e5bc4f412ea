"""Error types with the CLI's exit-code contract.

``InputError``/``ConfigError`` are the user's to fix (bad file, bad option): the CLI prints their
one-line message and exits with 2. Everything else is an internal error (exit 1).
"""

from __future__ import annotations

import re

_WORKER_WRAPPED = re.compile(r"Original Traceback.*\n(?:\w+\.)*(\w+Error): (.*)\s*$", re.S)


class TranslateError(Exception):
    """Base class for errors with a one-line, user-facing message."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        # A DataLoader worker re-raises ``type(exc)(long_traceback_text)``; keep only our line.
        m = _WORKER_WRAPPED.search(message)
        if m and message.startswith("Caught "):
            message = m.group(2).strip()
        super().__init__(message)


class InputError(TranslateError):
    """Bad input data: unreadable image, empty folder, mismatched pair, oversized image."""

    exit_code = 2


class ConfigError(TranslateError):
    """Bad configuration or usage: unknown option, wrong type, unknown registry name."""

    exit_code = 2


class CheckpointError(TranslateError):
    """A file that is not a usable checkpoint for the requested model."""

    exit_code = 2


class TrainingDiverged(TranslateError):
    """Training produced non-finite losses too many times in a row."""

    exit_code = 1


class Interrupted(KeyboardInterrupt):
    """Training stopped by SIGINT/SIGTERM (after its exit checkpoint); the CLI exits with 128 + signum."""

    def __init__(self, signum: int, message: str = "") -> None:
        super().__init__(message)
        self.signum = signum


# What to install for a module the base install (the torch-free runtime and the CLI) lacks.
_FULL = 'pip install "gan-translate[full]"'
INSTALL_FOR_MODULE = {
    **dict.fromkeys(("torch", "torchvision", "torchmetrics", "safetensors", "albumentations", "kornia", "tensorboard",
                     "tqdm", "scipy", "onnx", "onnxscript", "gradio", "gradio_client", "matplotlib"), _FULL),
    "onnxruntime": 'pip install "gan-translate[runtime-cpu]" (or "gan-translate[runtime-gpu]" for CUDA)',
}


class MissingExtra(TranslateError):
    """A command needs a library of an optional dependency set that is not installed."""

    exit_code = 2

    @classmethod
    def from_import(cls, exc: ImportError, what: str = "this command") -> MissingExtra | None:
        """The one-line error for ``exc`` when it names a module of an extra, else None."""
        top = (exc.name or "").split(".")[0]
        install = INSTALL_FOR_MODULE.get(top)
        if install is None:
            return None
        return cls(f"{what} needs {top}, which this install lacks: {install}")
