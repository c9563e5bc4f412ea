"""The stage of a growing net (progressive growing, Karras et al. 2018), shared by ProGAN and StyleGAN.

A growing net holds every resolution's layers and a stage ``(level, alpha)``, level 0 = 4 px: it runs
at 4 * 2**level px and, while ``alpha`` < 1, fades the level's new block in. The engine's progressive
capability (translate/core/progressive.py) calls ``set_stage`` before every step on every net whose
``growing`` is true; a rebuilt checkpoint gets the stage it was saved at (``nets/loading.py``).
"""

from __future__ import annotations

from torch import nn


class Growing(nn.Module):
    """``level`` (0 = 4 px), fade-in ``alpha`` in [0, 1] and ``num_levels``; ``growing`` = has the layers to grow."""

    num_levels: int
    growing: bool = True
    level: int
    alpha: float

    def set_stage(self, level: int, alpha: float = 1.0) -> None:
        """Run at 4 * 2**level px, fading the level's block in with ``alpha`` (1 = fully in)."""
        if not 0 <= level < self.num_levels or not 0.0 <= alpha <= 1.0:
            raise ValueError(f"stage: level must be in [0, {self.num_levels}) and alpha in [0, 1], got {level}, {alpha}")
        if not self.growing and (level, alpha) != (self.num_levels - 1, 1.0):
            raise ValueError(f"stage: {type(self).__name__} was built without progressive: true (no lower-resolution RGB layers)")
        self.level, self.alpha = int(level), float(alpha)

    @property
    def current_resolution(self) -> int:
        return 4 * 2**self.level

    def stage(self) -> dict[str, float | int]:
        """The stage as checkpoint metadata: level, alpha, resolution now and at the last level."""
        return {"level": self.level, "alpha": self.alpha, "resolution": self.current_resolution,
                "full_resolution": 4 * 2 ** (self.num_levels - 1)}

    def _fading(self) -> bool:
        return self.level > 0 and self.alpha < 1.0
