"""``translate predict`` and ``translate bench predict`` through onnxruntime, against torch."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import TINY_PIX2PIX, run_cli


def _max_pixel_diff(a_dir: Path, b_dir: Path) -> tuple[int, float, int]:
    """(max |a - b| in 0..255 over all PNGs, fraction of differing values, files compared)."""
    worst, differing, total, n = 0, 0, 0, 0
    for f in sorted(a_dir.rglob("*.png")):
        a = np.asarray(Image.open(f)).astype(int)
        b = np.asarray(Image.open(b_dir / f.relative_to(a_dir))).astype(int)
        assert a.shape == b.shape
        d = np.abs(a - b)
        worst, differing, total, n = max(worst, int(d.max())), differing + int((d > 0).sum()), total + d.size, n + 1
    return worst, differing / max(total, 1), n


def test_predict_onnx_file_matches_torch(p2p_run: Path, p2p_onnx: Path, tmp_path: Path) -> None:
    val = p2p_run.parent / "pairs" / "val"
    assert run_cli(["predict", str(p2p_run), str(val), "--aligned", "--out", str(tmp_path / "torch")]) == 0
    assert run_cli(["predict", str(p2p_onnx), str(val), "--aligned", "--out", str(tmp_path / "onnx"), "--device", "cpu"]) == 0
    worst, _, n = _max_pixel_diff(tmp_path / "torch", tmp_path / "onnx")
    assert n == 3 and worst <= 1


def test_backend_onnx_exports_once_to_the_cache(p2p_run: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("TRANSLATE_CACHE", str(tmp_path / "cache"))
    val = p2p_run.parent / "pairs" / "val"
    assert run_cli(["predict", str(p2p_run), str(val), "--aligned", "--backend", "onnx", "--out", str(tmp_path / "a")]) == 0
    assert "for onnxruntime (cached for next time)" in capsys.readouterr().err
    cached = list((tmp_path / "cache" / "onnx").glob("*.onnx"))
    assert len(cached) == 1
    assert run_cli(["predict", str(p2p_run), str(val), "--aligned", "--backend", "onnx", "--out", str(tmp_path / "b")]) == 0
    assert "cached for next time" not in capsys.readouterr().err  # reused
    assert _max_pixel_diff(tmp_path / "a", tmp_path / "b")[0] == 0
    assert run_cli(["predict", str(p2p_run), str(val), "--backend", "onnx", "--train-mode", "--out", str(tmp_path / "c")]) == 2
    assert run_cli(["predict", str(p2p_run), str(val), "--backend", "tf", "--out", str(tmp_path / "c")]) == 2


def test_bench_predict_both_backends(p2p_run: Path, p2p_onnx: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("TRANSLATE_CACHE", str(tmp_path / "cache"))
    rows = {}
    for backend, model in (("torch", p2p_run), ("onnx", p2p_run), ("onnx-file", p2p_onnx)):
        argv = ["bench", "predict", str(model), "--size", "64", "--batch", "2", "--iters", "2", "--json", "--device", "cpu"]
        assert run_cli(argv + ["--backend", backend.split("-")[0]]) == 0
        rows[backend] = json.loads(capsys.readouterr().out)
    assert rows["torch"]["backend"] == "torch" and rows["torch"]["device"] == "cpu" and rows["torch"]["first_call_s"] > 0
    for k in ("onnx", "onnx-file"):
        assert rows[k]["backend"] == "onnx" and rows[k]["device"] == "CPUExecutionProvider"
        assert rows[k]["size"] == rows["torch"]["size"] == 64 and rows[k]["latency_ms_per_batch"] > 0


@pytest.mark.data
@pytest.mark.slow
def test_silhouettes_val_torch_vs_onnx_within_one_level(shared_data: Path, tmp_path: Path) -> None:
    """A pix2pix trained a few steps on the real silhouettes (BtoA); its 30 val outputs through torch
    and through the ONNX runtime differ by at most 1/255 per pixel."""
    from translate.tasks.launch import TrainArgs, train

    run = train(TrainArgs(task="pix2pix", data=str(shared_data / "silhouettes"), direction="BtoA", steps=3, seed=0,
                          overrides=[*TINY_PIX2PIX, "train.sample_every=0"]), out=str(tmp_path / "run"))
    onnx_file = tmp_path / "sil.onnx"
    assert run_cli(["export", str(run), "--out", str(onnx_file)]) == 0
    val = shared_data / "silhouettes" / "val"
    assert run_cli(["predict", str(run), str(val), "--aligned", "--out", str(tmp_path / "torch"), "--device", "cpu"]) == 0
    assert run_cli(["predict", str(onnx_file), str(val), "--aligned", "--out", str(tmp_path / "onnx")]) == 0
    worst, frac, n = _max_pixel_diff(tmp_path / "torch", tmp_path / "onnx")
    print(f"silhouettes val: {n} images, max |torch - onnx| = {worst}/255, differing values {frac:.2e}")
    assert n == 30 and worst <= 1
    assert Image.open(tmp_path / "onnx" / sorted(p.name for p in (tmp_path / "onnx").iterdir())[0]).size == (256, 256)
