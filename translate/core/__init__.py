"""The shared adversarial core: objectives, penalties, stabilisers and the one training engine."""

from . import fgan, losses, optim, penalties, schedules  # noqa: F401  (registration)
