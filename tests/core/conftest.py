"""Shared fixtures for the adversarial-core tests: tiny discriminators defined here, no nets."""

import pytest
import torch
from torch import nn


class TinyConvD(nn.Module):
    """[N, C, 8, 8] -> [N, 1, 2, 2] logits map (a PatchGAN in miniature)."""

    def __init__(self, c: int = 3, act: type = nn.Tanh) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(c, 4, 3, 2, 1), act(), nn.Conv2d(4, 1, 3, 2, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def _mlp(i: int = 2, h: int = 8, act: type = nn.Tanh) -> nn.Sequential:
    return nn.Sequential(nn.Linear(i, h), act(), nn.Linear(h, 1))


@pytest.fixture
def conv_d():
    """Factory of tiny conv discriminators."""
    return TinyConvD


@pytest.fixture
def mlp_d():
    """Factory of tiny MLP discriminators ``(in, hidden, act)``."""
    return _mlp


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: one thread is fastest and immune to oversubscription on a busy machine."""
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)
