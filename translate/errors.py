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
