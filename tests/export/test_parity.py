"""Every registered generator exports through ``translate.export.exporter.export_net`` and passes its parity check.

Parametrised over ``translate.registry.GENERATORS`` and each entry's ``meta["variants"]`` (e.g.
stylegan's ``style: adain``), so a newly registered generator is covered with no edit here. Widths
are shrunk through the net's own width option (``ngf``/``conv_dim``/..., or
``meta={"tiny": {...}}`` on its registry entry); depth and layer structure keep their defaults.
Each export checks two input sizes at batch 2 (latent nets: batch 2 and 3), in fp32 and fp16.
"""

from __future__ import annotations

import json
from pathlib import Path

import onnx
import pytest
import torch

import translate.nets  # noqa: F401  (registers the nets)
from tests.conftest import variant_options, with_variants
from translate.errors import ConfigError
from translate.export.exporter import TOLERANCE, ExportOptions, export_net
from translate.registry import GENERATORS

WIDTH_OPTIONS = ("ngf", "conv_dim", "channels", "channel_base", "fmaps")


def tiny(name: str, variant: str = "") -> torch.nn.Module:
    """The registered generator ``name`` with 8 base channels (defaults otherwise), plus ``variant``'s options."""
    entry = GENERATORS.entry(name)
    accepted = entry.accepted_options()
    opts = {**(entry.meta.get("tiny") or {k: 8 for k in WIDTH_OPTIONS if k in accepted}), **variant_options(GENERATORS, name, variant)}
    torch.manual_seed(0)
    net = GENERATORS.build(name, **opts).eval()
    net.translate_spec = {"arch": name, "options": opts}
    return net


CASES = [(n, v, p) for n, v in with_variants(GENERATORS, GENERATORS.names()) for p in ("fp32", "fp16")]


@pytest.mark.slow
@pytest.mark.parametrize("name,variant,precision", CASES, ids=[f"{n}-{v}-{p}" if v else f"{n}-{p}" for n, v, p in CASES])
def test_every_generator_exports_with_parity(name: str, variant: str, precision: str, tmp_path: Path) -> None:
    net = tiny(name, variant)
    lines: list[str] = []
    out = tmp_path / f"{name}.onnx"
    if precision == "fp16" and not getattr(net, "supports_fp16", True):
        with pytest.raises(ConfigError, match="fp16 parity limit"):  # a clear refusal, not a parity failure
            export_net(net, out, {"task": "test", "net": "G", "arch": name}, ExportOptions(fp16=True), lines.append)
        assert not out.exists()
        return
    report = export_net(net, out, {"task": "test", "net": "G", "arch": name}, ExportOptions(fp16=precision == "fp16"), lines.append)
    assert out.is_file() and len(report.parity) == 2
    assert all(f.max_abs_diff <= TOLERANCE[precision] for f in report.parity), report.parity_line()
    assert any(line.startswith(f"parity {precision} vs torch") for line in lines)  # the figures are printed
    model = onnx.load(str(out))
    props = {p.key: p.value for p in model.metadata_props}
    assert props["kind"] == getattr(net, "kind", "image") and props["precision"] == precision
    inputs = json.loads(props["inputs"])
    graph_inputs = {i.name: i for i in model.graph.input}
    assert [i["name"] for i in inputs] == list(graph_inputs)
    first = graph_inputs[inputs[0]["name"]].type.tensor_type
    assert first.elem_type == onnx.TensorProto.FLOAT  # float32 at the edges, fp16 inside
    assert model.graph.output[0].name == "output"
    assert model.graph.output[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    dims = [d.dim_param or d.dim_value for d in first.shape.dim]
    assert isinstance(dims[0], str)  # dynamic batch
    if props["kind"] != "latent":
        assert all(isinstance(d, str) for d in dims[2:])  # dynamic height/width
        shapes = [f.shape for f in report.parity]
        assert shapes[0] != shapes[1]  # two sizes


@pytest.mark.slow
def test_fp16_keeps_instance_norm_float32(tmp_path: Path) -> None:
    """--fp16: conv weights fp16; InstanceNormalization runs on float32 (unless asked otherwise)."""
    net = tiny("resnet_6blocks")
    for keep in (True, False):
        out = tmp_path / f"r{keep}.onnx"
        export_net(net, out, {"task": "test", "net": "G", "arch": "resnet_6blocks"},
                   ExportOptions(fp16=True, fp16_instance_norm=not keep), lambda s: None)
        model = onnx.shape_inference.infer_shapes(onnx.load(str(out)))
        types = {v.name: v.type.tensor_type.elem_type for v in [*model.graph.value_info, *model.graph.input, *model.graph.output]}
        inits = {i.name: i.data_type for i in model.graph.initializer}
        types.update(inits)
        conv_w = [types[n.input[1]] for n in model.graph.node if n.op_type == "Conv"]
        assert conv_w and all(t == onnx.TensorProto.FLOAT16 for t in conv_w)
        norm_in = {types.get(n.input[0]) for n in model.graph.node if n.op_type == "InstanceNormalization"}
        assert norm_in == ({onnx.TensorProto.FLOAT} if keep else {onnx.TensorProto.FLOAT16})
        props = {p.key: p.value for p in model.metadata_props}
        assert props["fp16_float32_ops"] == ("InstanceNormalization" if keep else "")
