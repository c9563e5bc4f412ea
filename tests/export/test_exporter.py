"""``translate export`` on model files: run folders, CycleGAN-like files, reference .pth, metadata,
static shapes, fp16, and a failing parity check that must leave no file behind."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch

import translate.export.exporter as tonnx
from tests.conftest import run_cli
from translate.runtime import OnnxTranslator


def _props(path: Path) -> dict[str, str]:
    return {p.key: p.value for p in onnx.load(str(path)).metadata_props}


def test_run_folder_export_metadata(p2p_run: Path, p2p_onnx: Path) -> None:
    props = _props(p2p_onnx)
    assert props["format"] == tonnx.FORMAT
    assert (props["task"], props["net"], props["arch"], props["kind"]) == ("pix2pix", "G", "unet", "image")
    assert props["input_multiple"] == "32" and props["precision"] == "fp32" and props["opset"] == "18"
    assert props["direction"] == "AtoB" and props["crop_size"] == "32"
    assert "[-1, 1]" in props["normalization"] and "dynamo" in props["exporter"]
    assert "task: pix2pix" in props["config"]  # the run's resolved config travels with the model
    assert json.loads(props["inputs"]) == [{"name": "input", "dtype": "float32", "shape": ["batch", 3, "height", "width"],
                                            "doc": "RGB NCHW in [-1, 1]"}]
    assert json.loads(props["options"])["num_downs"] == 5


@pytest.mark.slow
def test_cyclegan_all_direction_and_net(cyclegan_file: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "cyc.onnx"
    assert run_cli(["export", str(cyclegan_file), "--all", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert text.count("parity fp32 vs torch") == 2 and "max" in text
    a, b = tmp_path / "cyc_AtoB.onnx", tmp_path / "cyc_BtoA.onnx"
    assert _props(a)["net"] == "G_A" and _props(a)["direction"] == "AtoB"
    assert _props(b)["net"] == "G_B" and _props(b)["direction"] == "BtoA"
    assert not out.exists()
    # one direction by --direction; the runtime refuses the other direction with a clear error
    assert run_cli(["export", str(cyclegan_file), "--direction", "BtoA", "--out", str(tmp_path / "b.onnx")]) == 0
    assert _props(tmp_path / "b.onnx")["net"] == "G_B"
    tr = OnnxTranslator(tmp_path / "b.onnx", ["cpu"], direction="BtoA")
    assert tr.info.direction == "BtoA"
    with pytest.raises(tonnx.ConfigError, match="translates BtoA"):
        OnnxTranslator(tmp_path / "b.onnx", ["cpu"], direction="AtoB")
    # the two graphs hold different weights
    x = np.random.default_rng(0).uniform(-1, 1, (1, 3, 32, 32)).astype(np.float32)
    ya = OnnxTranslator(a, ["cpu"]).run_arrays(x)
    yb = OnnxTranslator(b, ["cpu"]).run_arrays(x)
    assert np.abs(ya - yb).max() > 1e-3


def test_net_choice_errors(cyclegan_file: Path, tmp_path: Path, capsys) -> None:
    assert run_cli(["export", str(cyclegan_file), "--net", "G_X", "--out", str(tmp_path / "x.onnx")]) == 2
    assert "--net 'G_X'" in capsys.readouterr().err
    assert run_cli(["export", str(cyclegan_file), "--direction", "sideways", "--out", str(tmp_path / "x.onnx")]) == 2
    assert run_cli(["export", str(cyclegan_file), "--all", "--net", "G_A", "--out", str(tmp_path / "x.onnx")]) == 2
    assert run_cli(["export", str(tmp_path / "missing"), "--out", str(tmp_path / "x.onnx")]) == 2
    assert not list(tmp_path.glob("*.onnx"))


def test_reference_pth_export(tmp_path: Path) -> None:
    from tests.conftest import tiny_resnet

    net = tiny_resnet(5)
    sd = {f"module.{k}": v for k, v in net.state_dict().items()}  # a DataParallel-style reference file
    pth = tmp_path / "latest_net_G.pth"
    torch.save(sd, pth)
    out = tmp_path / "ref.onnx"
    assert run_cli(["export", str(pth), "--arch", "resnet_6blocks", "--arch-opt", "ngf=8", "--out", str(out)]) == 0
    props = _props(out)
    assert props["task"] == "reference" and props["arch"] == "resnet_6blocks" and props["source"] == str(pth)
    x = np.random.default_rng(1).uniform(-1, 1, (2, 3, 40, 44)).astype(np.float32)
    with torch.no_grad():
        expected = net(torch.from_numpy(x)).numpy()
    assert np.abs(OnnxTranslator(out, ["cpu"]).run_arrays(x) - expected).max() < 1e-4
    assert run_cli(["export", str(pth), "--out", str(out)]) == 2  # --arch missing


def test_static_size_and_batch(cyclegan_file: Path, tmp_path: Path) -> None:
    from PIL import Image

    out = tmp_path / "static.onnx"
    assert run_cli(["export", str(cyclegan_file), "--direction", "AtoB", "--static-size", "48", "--static-batch", "2",
                    "--out", str(out)]) == 0
    model = onnx.load(str(out))
    dims = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    assert dims == [2, 3, 48, 48]
    props = _props(out)
    assert props["static_size"] == "48" and props["static_batch"] == "2"
    tr = OnnxTranslator(out, ["cpu"])
    assert tr.backend.static_hw == (48, 48) and tr.backend.static_batch == 2
    # any image size and count: fitted into 48x48, batch padded to 2, returned at the input size
    images = [Image.new("RGB", (70, 30), (200, 30, 30)), Image.new("RGB", (20, 20)), Image.new("RGB", (48, 48))]
    outs = tr.translate(images, batch_size=8)
    assert [o.size for o in outs] == [(70, 30), (20, 20), (48, 48)]
    with pytest.raises(tonnx.ConfigError, match="static size 48x48"):
        tr.run_arrays(np.zeros((1, 3, 32, 32), np.float32))
    y = tr.run_arrays(np.zeros((3, 3, 48, 48), np.float32))  # split into 2 + (1 padded to 2)
    assert y.shape == (3, 3, 48, 48)
    assert run_cli(["export", str(cyclegan_file), "--direction", "AtoB", "--static-size", "50", "--out", str(out)]) == 2


def test_opset_and_exporter_recorded(cyclegan_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "ts.onnx"
    assert run_cli(["export", str(cyclegan_file), "--direction", "AtoB", "--exporter", "torchscript", "--opset", "17",
                    "--out", str(out)]) == 0
    props = _props(out)
    assert "(torchscript)" in props["exporter"] and props["opset"] == "17"
    assert onnx.load(str(out)).opset_import[0].version == 17
    assert run_cli(["export", str(cyclegan_file), "--exporter", "nope", "--out", str(out)]) == 2


def test_parity_failure_leaves_no_file(cyclegan_file: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    """A real mismatch (the torch net changes after export) fails with the figures and writes nothing."""
    real = tonnx.check_parity

    def perturbed(net, *args, **kwargs):
        with torch.no_grad():
            next(net.parameters()).add_(0.5)
        return real(net, *args, **kwargs)

    monkeypatch.setattr(tonnx, "check_parity", perturbed)
    out = tmp_path / "bad.onnx"
    assert run_cli(["export", str(cyclegan_file), "--direction", "AtoB", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "parity check failed, not written" in err and "max" in err and "limit 0.0001" in err
    assert len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []  # neither the file nor a temporary one


def test_export_help_has_examples(capsys) -> None:
    assert run_cli(["export", "--help"]) == 0
    text = capsys.readouterr().out
    assert "translate export runs/pix2pix-1 --out pix2pix.onnx" in text and "--static-size" in text and "--all" in text
