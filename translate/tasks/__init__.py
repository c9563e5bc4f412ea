"""Training tasks (registered in translate.registry.TASKS)."""

from . import pix2pix  # noqa: F401
from . import cyclegan  # noqa: F401
from . import stargan  # noqa: F401
