"""The shared adversarial core: objectives, penalties, stabilisers and the one training engine."""

from . import losses, penalties, schedules  # noqa: F401  (registration)
