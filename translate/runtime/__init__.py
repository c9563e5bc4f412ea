"""The torch-free runtime: what deployments need to run exported generators.

Only numpy, pillow and onnxruntime are imported here (a test imports every module of this package
with torch blocked). ``OnnxTranslator`` is loaded on first use, so the image and conditioning
helpers work where onnxruntime is not installed::

    from translate.runtime import OnnxTranslator
    tr = OnnxTranslator("model.onnx")
"""

from __future__ import annotations

from typing import Any

__all__ = ["OnnxTranslator"]


def __getattr__(name: str) -> Any:
    if name == "OnnxTranslator":
        from .onnx import OnnxTranslator

        return OnnxTranslator
    raise AttributeError(f"module 'translate.runtime' has no attribute {name!r}")
