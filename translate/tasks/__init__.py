"""Training tasks (registered in translate.registry.TASKS)."""

from . import pix2pix  # noqa: F401
