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
    assert report.passed() and all(f.max_abs_diff <= f.limit(TOLERANCE[precision]) for f in report.parity), report.parity_line()
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


# ----------------------------------------------------------------------------- the limit of ill-conditioned nets


def test_limit_follows_torchs_own_fp32_error() -> None:
    from translate.export.parity import FP32_CAP, ParityFigure

    assert ParityFigure("2x8", 1e-5, 1e-6).limit(1e-4) == 1e-4  # not measured: the fixed tolerance
    assert ParityFigure("2x8", 1.5e-4, 1e-6, torch_error=1e-4).limit(1e-4) == pytest.approx(3e-4)
    assert ParityFigure("2x8", 1.5e-4, 1e-6, torch_error=1e-7).limit(1e-4) == 1e-4  # never below the tolerance
    assert ParityFigure("2x8", 0.3, 1e-2, torch_error=0.5).limit(1e-4) == FP32_CAP  # never above the cap


def test_torch_fp32_error_is_rounding_on_a_well_conditioned_net() -> None:
    from translate.export.parity import torch_fp32_error
    from translate.nets.signature import signature

    net = tiny("unet_128")
    errors = torch_fp32_error(net, signature(net))
    assert len(errors) == 2 and all(0 < e < 1e-5 for e in errors)


@pytest.mark.parametrize("own,written", [(1e-4, True), (1e-6, False)])
def test_export_beyond_1e4_is_written_only_within_twice_torchs_own_error(own, written, tmp_path, monkeypatch) -> None:
    """A figure of 1.5e-4 passes when torch's own fp32 error is up to 1e-4 (limit 3e-4), fails when it is 1e-6."""
    import translate.export.exporter as ex
    from translate.errors import TranslateError
    from translate.export.parity import ParityFigure

    monkeypatch.setattr(ex, "check_parity", lambda *a, **k: [ParityFigure("2x3x32x32", 1.5e-4, 1e-6)] * 2)
    monkeypatch.setattr(ex, "torch_fp32_error", lambda *a, **k: [own / 2, own])  # the worst one counts
    out, lines = tmp_path / "g.onnx", []
    net = tiny("unet_128")
    if written:
        report = export_net(net, out, {"task": "test", "net": "G", "arch": "unet_128"}, ExportOptions(), lines.append)
        assert out.is_file() and report.passed()
        assert "torch's own fp32 error (vs fp64) up to 1.00e-04 -> limit 3.00e-04" in lines[-1]
    else:
        with pytest.raises(TranslateError, match="parity check failed, not written"):
            export_net(net, out, {"task": "test", "net": "G", "arch": "unet_128"}, ExportOptions(), lines.append)
        assert not out.exists()
