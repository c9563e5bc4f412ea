"""Shape probe: would a net accept training inputs of a given size? Checked before training starts.

Nets run on the ``meta`` device (shapes only, no memory, no arithmetic), so a too-small ``--size``
for a deep discriminator or U-Net gives a one-line error naming the net and the smallest size that
works, instead of a traceback from inside instance norm at the first step.
"""

from __future__ import annotations

import inspect

import torch
from torch import nn
from torch.func import functional_call

from ..errors import ConfigError

# messages of torch's shape checks (instance/batch norm, conv, pooling) on too-small inputs
_SHAPE_ERRORS = ("Expected more than 1", "too small", "can't be greater than actual input size",
                 "Kernel size can't be greater", "Padding size should be less than")


def _too_small(net: nn.Module, size: int, batch: int) -> str | None:
    """The shape error ``net`` raises on training inputs of ``size`` px (None: accepted or unknown)."""
    make = getattr(net, "example_inputs", None)
    if make is None or "size" not in inspect.signature(make).parameters:
        return None
    try:
        inputs = [x.to("meta") for x in make(max(1, batch), size)]
        state = {k: torch.empty_like(v, device="meta") for k, v in (*net.named_parameters(), *net.named_buffers())}
        with torch.no_grad():
            functional_call(net, state, tuple(inputs), strict=False)
    except (ValueError, RuntimeError) as e:
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        return msg if any(s in msg for s in _SHAPE_ERRORS) else None
    except Exception:  # an op without a meta kernel: nothing known, training will tell
        return None
    return None


def smallest_size(net: nn.Module, batch: int, limit: int = 4096) -> int | None:
    """The smallest multiple of ``net.input_multiple`` (or of 8) that ``net`` accepts, up to ``limit``."""
    step = max(int(getattr(net, "input_multiple", 1) or 1), 8)
    return next((s for s in range(step, limit + 1, step) if _too_small(net, s, batch) is None), None)


def check_input_size(nets: dict[str, nn.Module], size: int, batch: int) -> None:
    """Raise ConfigError when a net cannot take ``batch`` training inputs of ``size`` x ``size`` px."""
    for name, net in nets.items():
        problem = _too_small(net, size, batch)
        if problem is None:
            continue
        arch = getattr(net, "translate_spec", {}).get("arch", type(net).__name__)
        least = smallest_size(net, batch)
        hint = f"use --size {least} or more" if least else "use a larger --size"
        if "n_layers" in getattr(net, "translate_spec", {}).get("options", {}):
            hint += " or fewer layers (--set discriminator.n_layers=N)"
        raise ConfigError(f"--size / data.crop_size {size}: too small for {name} ({arch}): {problem}; {hint}")
