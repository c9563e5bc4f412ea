"""A resumable, shardable sampler that yields ``(epoch, index)`` keys.

Each epoch's order is a permutation seeded by ``(seed, epoch)`` and split across ranks like
``DistributedSampler``; ``start`` skips the items already consumed, so a resumed run sees the same
remaining data in the same order. Datasets derive every random choice from the key.
"""

from __future__ import annotations

import math
from typing import Iterator

import torch
from torch.utils.data import Sampler


class ResumableSampler(Sampler[tuple[int, int]]):
    """Deterministic per-epoch order, rank sharding and mid-epoch resume."""

    def __init__(self, length: int, *, seed: int = 0, shuffle: bool = True, rank: int = 0, world: int = 1) -> None:
        if length <= 0:
            raise ValueError("ResumableSampler needs a non-empty dataset")
        self.length, self.seed, self.shuffle = length, seed, shuffle
        self.rank, self.world = rank, world
        self.per_rank = math.ceil(length / world)
        self.epoch = 0
        self.start = 0

    def set_epoch(self, epoch: int, start: int = 0) -> None:
        """Select the epoch's permutation and skip its first ``start`` items (of this rank)."""
        self.epoch, self.start = epoch, start

    def order(self, epoch: int) -> list[int]:
        """This rank's indices for ``epoch``."""
        if self.shuffle:
            g = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
            idx = torch.randperm(self.length, generator=g).tolist()
        else:
            idx = list(range(self.length))
        total = self.per_rank * self.world
        idx += idx[: total - len(idx)]  # pad so every rank gets the same count
        return idx[self.rank : total : self.world]

    def __iter__(self) -> Iterator[tuple[int, int]]:
        for i in self.order(self.epoch)[self.start :]:
            yield (self.epoch, i)

    def __len__(self) -> int:
        return self.per_rank - self.start
