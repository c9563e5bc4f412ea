"""Spectral normalisation (Miyato et al. 2018), switchable on any discriminator.

``apply_spectral_norm(net)`` wraps the weight of every Conv/ConvTranspose/Linear layer of ``net`` in
place with ``torch.nn.utils.parametrizations.spectral_norm``: each forward in training mode runs one
power iteration and divides the weight by its largest singular value, where a conv weight
``[out, in, kh, kw]`` is read as the matrix ``[out, in*kh*kw]`` (``[in, out*kh*kw]`` for transposed
convs), as in the paper. Layers already parametrised (or carrying an old-style ``weight_orig``) are
left alone, so nets that build spectral norm themselves are not normalised twice.

The engine applies it to every discriminator when ``GanConfig.spectral_norm`` is set
(``translate/core/stabilisers.py::prepare_task``), before the optimisers are built.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn.utils import parametrize
from torch.nn.utils.parametrizations import spectral_norm

WRAPPED: tuple[type[nn.Module], ...] = (
    nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d, nn.Linear,
)


def _has_spectral_norm(m: nn.Module) -> bool:
    return parametrize.is_parametrized(m, "weight") or hasattr(m, "weight_orig")


def apply_spectral_norm(net: nn.Module, n_power_iterations: int = 1, eps: float = 1e-12) -> nn.Module:
    """Wrap every conv/linear weight of ``net`` in spectral normalisation, in place; returns ``net``."""
    for m in list(net.modules()):
        if isinstance(m, WRAPPED) and getattr(m, "weight", None) is not None and not _has_spectral_norm(m):
            spectral_norm(m, n_power_iterations=n_power_iterations, eps=eps)
    return net


def spectral_normalised(net: nn.Module) -> list[nn.Module]:
    """The layers of ``net`` whose weight is spectrally normalised."""
    return [m for m in net.modules() if isinstance(m, WRAPPED) and _has_spectral_norm(m)]


def weight_matrix(m: nn.Module) -> Tensor:
    """The (normalised) weight of ``m`` as the matrix spectral norm bounds.  # [out, in*k...]"""
    w = m.weight.detach()
    if isinstance(m, (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)):
        w = w.transpose(0, 1)
    return w.reshape(w.shape[0], -1)


@torch.no_grad()
def largest_singular_values(net: nn.Module) -> dict[str, float]:
    """sigma_max of each conv/linear weight matrix of ``net`` by module name (a diagnostic)."""
    return {
        name: float(torch.linalg.matrix_norm(weight_matrix(m).float(), ord=2))
        for name, m in net.named_modules()
        if isinstance(m, WRAPPED) and getattr(m, "weight", None) is not None
    }
