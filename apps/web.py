"""The web demo as a deployable entry (Hugging Face Spaces style): ``python apps/web.py``.

A thin layer over ``translate.webapp.app``: serves the bundled default models plus any model files named
in ``TRANSLATE_MODELS`` (separated by ``os.pathsep``). Host and port come from gradio's usual
``GRADIO_SERVER_NAME`` / ``GRADIO_SERVER_PORT`` environment variables (Spaces sets them).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

try:
    import translate  # noqa: F401
except ImportError:  # a plain checkout: use the package beside this folder
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from translate.webapp.app import build_app
from translate.webapp.handling import Limits

LIMITS = Limits()
MODELS = [m for m in os.environ.get("TRANSLATE_MODELS", "").split(os.pathsep) if m]

demo = build_app(MODELS, limits=LIMITS)

if __name__ == "__main__":
    demo.launch(max_file_size=int(LIMITS.max_file_mb * 1e6), show_error=True)
