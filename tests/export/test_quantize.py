"""``translate export --int8``: static INT8 quantisation calibrated on a folder, PSNR vs fp32 reported."""

from __future__ import annotations

import numpy as np
from PIL import Image

from tests.conftest import run_cli
from translate.runtime import OnnxTranslator


def _photos(folder, n=4, size=32):
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(n):
        base = np.linspace(0, 255, size, dtype=np.float32)[None, :, None] * rng.uniform(0.3, 1.0, 3)
        img = np.clip(base + rng.normal(0, 20, (size, size, 3)), 0, 255).astype(np.uint8)
        Image.fromarray(img).save(folder / f"{i}.jpg")
    return folder


def test_int8_export_runs_keeps_metadata_and_reports_psnr(cyclegan_file, tmp_path, capsys):
    photos = _photos(tmp_path / "photos")
    out = tmp_path / "g_int8.onnx"
    assert run_cli(["export", str(cyclegan_file), "--net", "G_A", "--out", str(out), "--int8", "--calibration", str(photos),
                    "--calibration-size", "32"]) == 0
    text = capsys.readouterr().out
    line = next(ln for ln in text.splitlines() if ln.startswith("int8 "))
    psnr = float(line.split("PSNR vs fp32 outputs ")[1].split(" dB")[0])
    assert psnr > 20 and "median over 4 calibration images" in line  # quantisation noise, not a broken graph
    assert not (tmp_path / "g_int8.fp32.onnx").exists()
    tr = OnnxTranslator(out, "cpu")
    assert tr.meta["precision"] == "int8" and tr.info.direction == "AtoB"
    ops = {n.op_type for n in __import__("onnx").load(str(out)).graph.node}
    assert {"QuantizeLinear", "DequantizeLinear"} <= ops
    (res,) = tr.translate([Image.open(photos / "0.jpg")])
    assert res.size == (32, 32)


def test_int8_bad_usage_exits_2(cyclegan_file, tmp_path, capsys):
    out = str(tmp_path / "g.onnx")
    assert run_cli(["export", str(cyclegan_file), "--net", "G_A", "--out", out, "--int8"]) == 2
    assert "needs --calibration" in capsys.readouterr().err
    assert run_cli(["export", str(cyclegan_file), "--net", "G_A", "--out", out, "--int8", "--calibration", str(tmp_path / "none")]) == 2
    assert "none" in capsys.readouterr().err
    assert run_cli(["export", str(cyclegan_file), "--net", "G_A", "--out", out, "--calibration", str(tmp_path)]) == 2
    assert "only with --int8" in capsys.readouterr().err
