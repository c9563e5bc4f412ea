"""Training tasks (registered in translate.registry.TASKS)."""

from . import cyclegan, pix2pix, stargan, stylegan, unconditional  # noqa: F401
