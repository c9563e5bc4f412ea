"""``torch.compile`` of a generator for inference: inductor with frozen weights.

With ``freezing`` inductor treats the eval-mode weights as constants (conv-BN folding, weight
layout pre-packing for oneDNN); the first call of each input shape compiles (tens of seconds on
the CPU, measured in docs/results.md), later calls run the generated kernels. The compiled graph
only holds for the weights it saw: compile after loading, never before a weight update.

Each mode is a set of inductor config values, patched in around every call of the compiled net
(compilation is lazy: it happens inside the first call of each shape), so inductor's global config
is never changed. Passing them as ``torch.compile(options=...)`` instead does not freeze: measured
1.74x (1.33-2.01) slower at steady state on unet_256 (docs/results.md).
"""

from __future__ import annotations

from typing import Any

import torch
import torch._inductor.config as inductor_config
from torch import nn

from ..errors import ConfigError

COMPILE_MODES: dict[str, dict[str, Any]] = {  # --compile MODE -> inductor config values
    "default": {"freezing": True},
    "max-autotune": {"freezing": True, "max_autotune": True, "triton.cudagraphs": False},
}


def check_compile_mode(mode: str | None) -> str | None:
    """``mode`` if it names a compile mode (or is None: no compile), else a ConfigError listing them."""
    if mode is not None and mode not in COMPILE_MODES:
        raise ConfigError(f"--compile {mode!r}: expected one of {', '.join(COMPILE_MODES)}")
    return mode


class CompiledNet:
    """``torch.compile(module, dynamic=False)`` called under its mode's inductor config (freezing on)."""

    def __init__(self, module: nn.Module, mode: str = "default") -> None:
        self.module, self.mode = module, mode
        self.compiled = torch.compile(module, dynamic=False)
        self.config = dict(COMPILE_MODES[mode])

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with inductor_config.patch(self.config):
            return self.compiled(*args, **kwargs)


def compile_for_inference(module: nn.Module, mode: str = "default") -> CompiledNet:
    """``module`` (eval mode, weights final) compiled with frozen weights.

    Shapes are specialised on the first call (``dynamic=False``): a new batch size or image size
    compiles again (up to torch's recompile limit, then eager).
    """
    check_compile_mode(mode)
    if module.training:
        raise ConfigError("--compile: inference compile needs eval mode (drop --train-mode)")
    return CompiledNet(module, mode)


def pad_batch(tensors: dict[str, torch.Tensor], batched: set[str], to: int) -> dict[str, torch.Tensor]:
    """Inputs named in ``batched`` ([n, ...], n < ``to``) padded to [to, ...] by repeating their last item.

    A compiled net is specialised on its first batch size; padding a smaller last batch up to it
    reuses that graph instead of compiling again (the caller drops the extra output rows).
    """
    out = dict(tensors)
    for k in batched & tensors.keys():
        v = tensors[k]
        if v.shape[0] < to:
            out[k] = torch.cat([v, v[-1:].expand(to - v.shape[0], *v.shape[1:])])
    return out


def use_compiled(n: int, compiled_batch: int) -> bool:
    """Whether a batch of ``n`` runs the graph compiled for ``compiled_batch`` (padded), or the eager net.

    Padding costs the compute of the missing rows: above half full it beats eager per image here,
    below it a folder of mixed sizes (translate groups each batch by input size: calls of 1 next to
    calls of 8) paid a full batch for one image (docs/results.md)."""
    return 2 * n > compiled_batch
