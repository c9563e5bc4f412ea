"""What kind of model file a path is, from its first bytes: the one dispatch of ``info``, ``eval`` and ``predict``.

Kinds: ``folder`` (a run or checkpoint folder), ``safetensors`` (a gan-translate generator file),
``onnx``, ``reference`` (a PyTorch ``.pth``/``.pt``/``.ckpt``: zip or legacy pickle container,
read with ``weights_only``). Anything else is refused with one line that says what the file looks
like (an image, text, an empty file). Torch-free: standard library only.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

from ..errors import InputError
from .imagefiles import IMG_EXTENSIONS

ACCEPTED = "a run folder, a generator .safetensors, an .onnx file or a reference .pth/.ckpt (with --arch)"
REFERENCE_SUFFIXES = (".pth", ".pt", ".ckpt")
_IMAGE_MAGIC = {b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image", b"BM": "a BMP image",
                b"RIFF": "a RIFF (WebP/WAV) file", b"II*\x00": "a TIFF image", b"MM\x00*": "a TIFF image"}


def _is_safetensors(head: bytes, size: int) -> bool:
    if len(head) < 10:
        return False
    (n,) = struct.unpack("<Q", head[:8])
    return 2 <= n <= size - 8 and head[8:9] == b"{"


def _looks_like(head: bytes, path: Path) -> str:
    for magic, what in _IMAGE_MAGIC.items():
        if head.startswith(magic):
            return what
    if path.suffix.lower() in IMG_EXTENSIONS:
        return "an image file"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return "an unknown binary file"
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            json.loads(path.read_text())
            return "a JSON file"
        except ValueError:
            pass
    return "a text file" + (" (YAML)" if path.suffix.lower() in (".yaml", ".yml") else "")


def model_file_kind(path: str | Path) -> str:
    """``folder`` | ``safetensors`` | ``onnx`` | ``reference`` for ``path``; ``InputError`` for anything else."""
    p = Path(path)
    if p.is_dir():
        return "folder"
    if not p.exists():
        raise InputError(f"{p}: no such file or folder (expected {ACCEPTED})")
    size = p.stat().st_size
    if size == 0:
        raise InputError(f"{p}: an empty file, not a model (expected {ACCEPTED})")
    with open(p, "rb") as f:
        head = f.read(64)
    if _is_safetensors(head, size):
        return "safetensors"
    if head.startswith(b"PK\x03\x04") or head[:1] == b"\x80":  # torch.save zip container / legacy pickle
        return "reference"
    if p.suffix.lower() == ".onnx":  # protobuf has no magic number: the suffix decides, onnxruntime checks
        return "onnx"
    raise InputError(f"{p}: {_looks_like(head, p)}, not a model (expected {ACCEPTED})")
