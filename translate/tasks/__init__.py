"""Training tasks (registered in translate.registry.TASKS)."""

from . import pix2pix, stylegan, unconditional  # noqa: F401
