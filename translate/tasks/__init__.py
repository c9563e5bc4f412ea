"""Training tasks (registered in translate.registry.TASKS)."""

from . import pix2pix  # noqa: F401
from . import stylegan, unconditional  # noqa: F401,E402
