"""Inference on torch (and onnxruntime): one ``Translator`` over two backends, predict to files.

``open_translator(model, backend="torch"|"onnx")`` gives a ``translate.runtime.translator.Translator``
on ``TorchBackend`` (``backend.py``) or ``OnnxBackend``; ``predict.py`` and ``latent.py`` are the
``translate predict`` commands on top of it.
"""

from ..runtime.translator import Translator
from .translator import open_translator

__all__ = ["Translator", "open_translator"]
