"""Training tasks (registered in translate.registry.TASKS)."""

from . import cyclegan, pix2pix, progan, stargan, stylegan, unconditional  # noqa: F401
