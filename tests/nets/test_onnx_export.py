"""Every registered net exports to ONNX and matches torch on onnxruntime.

Generators are exported with dynamic axes (batch, and height/width for image inputs) and checked
at two input shapes; discriminators, which are never deployed, at their example shape. Export is
slow, so each registered class is exported once, through its entry with the smallest input (and once
per ``meta["variants"]`` option set, e.g. stylegan's ``style: adain``), at its ``meta["tiny"]`` size when
it declares one.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import warnings
from pathlib import Path

import pytest
import torch
from torch.export import Dim

import translate.nets  # noqa: F401  (registers the nets)
from tests.conftest import variant_options, with_variants
from translate.registry import DISCRIMINATORS, GENERATORS, Registry

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnxscript")

REGISTRIES = {"G": GENERATORS, "D": DISCRIMINATORS}


def _small(registry: Registry, name: str, variant: str = "") -> torch.nn.Module:
    """The entry's ``meta["tiny"]`` options (ProGAN: a 4 -> 8 px fade-in), else width options 8; plus the variant's."""
    torch.manual_seed(0)
    entry = registry.entry(name)
    small = entry.meta.get("tiny") or {k: 8 for k in ("ngf", "ndf", "conv_dim") if k in entry.accepted_options()}
    return registry.build(name, **{**small, **variant_options(registry, name, variant)})  # a variant overrides tiny


def _one_entry_per_class(role: str) -> list[tuple[str, str, str]]:
    """(role, name, variant) for each registered class and variant, using its entry with the smallest input size."""
    registry, chosen = REGISTRIES[role], {}
    for name, variant in with_variants(registry, registry.names()):
        net = _small(registry, name, variant)
        key = (getattr(net, "input_multiple", 1), getattr(net, "image_size", None) or 0)
        cls = (registry.get(name), variant)
        if cls not in chosen or key < chosen[cls][0]:
            chosen[cls] = (key, name, variant)
    return [(role, name, variant) for _, name, variant in chosen.values()]


ALL = _one_entry_per_class("G") + _one_entry_per_class("D")
IDS = [f"{r}-{n}" + (f"-{v}" if v else "") for r, n, v in ALL]


def _dynamic_shapes(net: torch.nn.Module, n_inputs: int) -> dict[str, dict[int, object]]:
    """Batch axis dynamic for every input; height and width too for image inputs."""
    params = list(inspect.signature(net.forward).parameters)[:n_inputs]
    image_axes = {0: Dim.AUTO, 2: Dim.AUTO, 3: Dim.AUTO}
    first = image_axes if net.kind != "latent" else {0: Dim.AUTO}
    return {params[0]: first, **{p: {0: Dim.AUTO} for p in params[1:]}}


def _export(net: torch.nn.Module, inputs: tuple, path: Path, **kwargs: object) -> object:
    names = [f"input{i}" for i in range(len(inputs))]
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        torch.onnx.export(net, inputs, str(path), input_names=names, dynamo=True, **kwargs)
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]), names


def _check(session: object, names: list[str], net: torch.nn.Module, inputs: tuple) -> None:
    got = session.run(None, {n: x.numpy() for n, x in zip(names, inputs)})
    with torch.no_grad():
        expected = net(*inputs)
    expected = expected if isinstance(expected, tuple) else (expected,)
    for g, e in zip(got, expected):
        torch.testing.assert_close(torch.from_numpy(g), e, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("role,name,variant", ALL, ids=IDS)
def test_onnx_parity(role: str, name: str, variant: str, tmp_path: Path) -> None:
    net = _small(REGISTRIES[role], name, variant).eval()
    path = tmp_path / "net.onnx"
    if role == "D":
        inputs = net.example_inputs(batch=2)
        session, names = _export(net, inputs, path)
        _check(session, names, net, inputs)
        return
    size = max(net.input_multiple, 16)
    inputs = net.example_inputs(batch=2, size=2 * size)
    session, names = _export(net, inputs, path, dynamic_shapes=_dynamic_shapes(net, len(inputs)))
    for batch, mult in ((3, 2), (1, 3)):  # other batch sizes and, for image nets, other sizes
        _check(session, names, net, net.example_inputs(batch=batch, size=mult * size))
