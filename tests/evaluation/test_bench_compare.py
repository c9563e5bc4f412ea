"""``--baseline eager``: interleaved comparisons through the CLI, and their bad-usage errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from tests.conftest import run_cli
from translate.errors import InputError
from translate.evaluation.bench_compare import PeakRSS, aligned_halves, interleave

SMALL = ["--set", "generator.ngf=8", "--set", "discriminator.ndf=8"]


def _check(d: dict, reps: int) -> None:
    assert d["baseline"] == "eager" and d["reps"] == reps
    for k in ("baseline_s", "ours_s", "ratio"):
        assert 0 < d[k]["min"] <= d[k]["median"] <= d[k]["max"]
    assert d["baseline_peak_rss_mib"] > 0 and d["ours_peak_rss_mib"] > 0


def test_interleave_alternates_and_pairs_the_ratios():
    calls: list[str] = []
    d = interleave(lambda: calls.append("b"), lambda: calls.append("o"), reps=3, warmup=1)
    assert calls == ["b", "o"] * 4
    _check({**d, "baseline": "eager"}, 3)


def test_peak_rss_sees_an_allocation():
    with PeakRSS() as mem:
        block = np.ones(64 * 2**20 // 8)  # 64 MiB, touched
        block.sum()
    assert mem.peak > 64


def test_bench_train_baseline_eager_cli(capsys):
    assert run_cli(["bench", "train", "cyclegan", "--size", "32", "--baseline", "eager", "--reps", "2", "--steps", "1",
                    *SMALL, "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    _check(d, 2)
    assert d["task"] == "cyclegan" and d["overrides"] == ["generator.ngf=8", "discriminator.ndf=8"]


def test_bench_predict_baseline_eager_folder_and_arrays(p2p_run, tmp_path, capsys):
    photos = tmp_path / "photos"
    photos.mkdir()
    rng = np.random.default_rng(0)
    for i in range(3):
        Image.fromarray(rng.integers(0, 255, (32, 32, 3), dtype=np.uint8)).save(photos / f"{i}.jpg")
    assert run_cli(["bench", "predict", str(p2p_run), "--size", "32", "--baseline", "eager", "--reps", "2", "--json"]) == 0
    _check(json.loads(capsys.readouterr().out), 2)
    assert run_cli(["bench", "predict", str(p2p_run), "--baseline", "eager", "--folder", str(photos), "--reps", "1",
                    "--batch", "2"]) == 0
    out = capsys.readouterr().out
    assert "eager baseline" in out and "ratio baseline/ours" in out and "images 3" in out


def test_bench_baseline_bad_usage_exits_2(p2p_run, p2p_onnx, capsys):
    assert run_cli(["bench", "train", "pix2pix", "--baseline", "fast"]) == 2
    assert "--baseline 'fast': expected eager" in capsys.readouterr().err
    assert run_cli(["bench", "train", "pix2pix", "--baseline", "eager", "--device", "cuda"]) == 2
    assert "runs fp32 on the CPU" in capsys.readouterr().err
    assert run_cli(["bench", "train", "stargan", "--size", "32", "--baseline", "eager"]) == 2
    assert "pix2pix and cyclegan only" in capsys.readouterr().err
    assert run_cli(["bench", "predict", str(p2p_onnx), "--baseline", "eager"]) == 2
    assert "give the torch model" in capsys.readouterr().err
    assert run_cli(["bench", "predict", str(p2p_run), "--folder", "x"]) == 2
    assert "only with --baseline eager" in capsys.readouterr().err


def test_bench_predict_baseline_eager_feeds_stargan_a_domain(tmp_path, capsys):
    import translate.nets  # noqa: F401  (registers the nets)
    from translate import checkpoint as ckpt
    from translate.registry import GENERATORS

    opts = {"conv_dim": 8, "c_dim": 3, "repeat_num": 1}
    net = GENERATORS.build("stargan", **opts).eval()
    net.translate_spec = {"arch": "stargan", "options": opts}
    model = ckpt.save_generators(tmp_path / "star.safetensors", {"G": net}, task="stargan", config=None, net_meta={"G": {}})
    assert run_cli(["bench", "predict", str(model), "--size", "32", "--baseline", "eager", "--reps", "1", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)  # both paths ran the image with target domain 0
    _check(d, 1)
    assert d["arch"] == "stargan" and d["ours_first_call_s"] > 0


def test_aligned_halves_writes_each_side_and_names_a_bad_file(tmp_path) -> None:
    """--split-aligned: the left (A) or right (B) half of every A|B image; a corrupt one is named."""
    pairs = tmp_path / "pairs"
    pairs.mkdir()
    ab = np.zeros((8, 16, 3), np.uint8)
    ab[:, 8:] = 255  # left half black, right half white
    Image.fromarray(ab).save(pairs / "p1.png")
    left = aligned_halves(pairs, "left", tmp_path / "left")
    right = aligned_halves(pairs, "right", tmp_path / "right")
    a, b = (np.asarray(Image.open(d / "p1.jpg")) for d in (left, right))
    assert a.shape == b.shape == (8, 8, 3) and a.max() < 10 and b.min() > 245
    (pairs / "bad.png").write_bytes(b"not an image")
    with pytest.raises(InputError, match="bad.png"):
        aligned_halves(pairs, "left", tmp_path / "again")
