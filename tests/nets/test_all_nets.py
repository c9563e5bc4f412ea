"""Every registered generator and discriminator: forward/backward, interface, save/load round trip.

Parametrised over the registries, so a newly registered net is covered without touching this file;
an entry's ``meta["variants"]`` (option sets such as stylegan's ``style: adain``) are covered too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

import translate.nets  # noqa: F401  (registers the nets)
from tests.conftest import variant_options, with_variants
from translate.registry import DISCRIMINATORS, GENERATORS, Registry

WIDTH_OPTIONS = ("ngf", "ndf", "conv_dim")  # shrunk to 8 for speed
GENERATOR_KINDS = {"image", "image+domain", "latent"}


def build_small(registry: Registry, name: str, seed: int = 0, variant: str = "") -> torch.nn.Module:
    """The registered net with every width option set to 8 (or its registry ``meta["tiny"]`` options), plus ``variant``'s."""
    torch.manual_seed(seed)
    entry = registry.entry(name)
    accepted = entry.accepted_options()
    small = entry.meta.get("tiny") or {k: 8 for k in WIDTH_OPTIONS if k in accepted}
    return registry.build(name, **{**small, **variant_options(registry, name, variant)})  # a variant overrides tiny


def input_sets(net: torch.nn.Module) -> list[tuple[torch.Tensor, ...]]:
    """Two input batches: two spatial sizes, or two batch sizes for fixed-size nets."""
    if getattr(net, "image_size", None) is not None or getattr(net, "kind", "") == "latent":
        return [net.example_inputs(batch=2), net.example_inputs(batch=3)]
    base = max(getattr(net, "input_multiple", 1), 32)
    return [net.example_inputs(batch=2, size=base), net.example_inputs(batch=2, size=2 * base)]


def outputs(out: torch.Tensor | tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, ...]:
    return out if isinstance(out, tuple) else (out,)


REGISTRIES = {"G": GENERATORS, "D": DISCRIMINATORS}
ALL = [(r, n, v) for r, reg in REGISTRIES.items() for n, v in with_variants(reg, reg.names())]
IDS = [f"{r}-{n}" + (f"-{v}" if v else "") for r, n, v in ALL]


def test_registries_hold_the_architectures() -> None:
    for name in ("unet_256", "unet_128", "unet", "resnet_9blocks", "resnet_6blocks", "resnet",
                 "stargan", "dcgan_64", "dcgan_32", "dcgan"):
        assert name in GENERATORS
    for name in ("patchgan", "pixel", "stargan", "dcgan_64", "dcgan_32", "dcgan"):
        assert name in DISCRIMINATORS


@pytest.mark.parametrize("role,name,variant", ALL, ids=IDS)
def test_interface_attributes(role: str, name: str, variant: str) -> None:
    net = build_small(REGISTRIES[role], name, variant=variant)
    if role == "G":
        assert net.kind in GENERATOR_KINDS
        assert isinstance(net.input_multiple, int) and net.input_multiple >= 1
    else:
        rf = net.receptive_field
        assert rf is None or (isinstance(rf, int) and rf >= 1)


@pytest.mark.parametrize("role,name,variant", ALL, ids=IDS)
def test_forward_backward_two_sizes(role: str, name: str, variant: str) -> None:
    net = build_small(REGISTRIES[role], name, variant=variant).train()
    for inputs in input_sets(net):
        outs = outputs(net(*inputs))
        n = inputs[0].shape[0]
        for out in outs:
            assert out.shape[0] == n and torch.isfinite(out).all()
        if role == "G" and net.kind != "latent":
            # image-to-image: same spatial size, values in [-1, 1]
            assert outs[0].shape[2:] == inputs[0].shape[2:]
        if role == "G":
            assert outs[0].dim() == 4 and outs[0].abs().max() <= 1.0
        net.zero_grad()
        sum(o.square().mean() for o in outs).backward()
        for pname, p in net.named_parameters():
            assert p.grad is not None and torch.isfinite(p.grad).all(), pname


@pytest.mark.parametrize("role,name,variant", ALL, ids=IDS)
def test_safetensors_round_trip(role: str, name: str, variant: str, tmp_path: Path) -> None:
    registry = REGISTRIES[role]
    net = build_small(registry, name, seed=1, variant=variant)
    inputs = input_sets(net)[0]
    with torch.no_grad():
        net.train()(*inputs)  # move BN/IN running statistics away from their defaults
        net.eval()
        expected = outputs(net(*inputs))
    path = tmp_path / "net.safetensors"
    save_file(net.state_dict(), str(path))

    other = build_small(registry, name, seed=2, variant=variant).eval()
    other.load_state_dict(load_file(str(path)), strict=True)
    with torch.no_grad():
        got = outputs(other(*inputs))
    for a, b in zip(expected, got):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
