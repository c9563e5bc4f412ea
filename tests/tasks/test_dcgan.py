"""DCGAN end to end on tiny folders: train, resume exactly, sample/interpolate, class-conditional, ONNX, duplicates."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import make_folder, run_cli
from tests.tasks.resume import assert_resumed_like, metrics
from translate.tasks.launch import TrainArgs, train

# 16 px DCGAN with 8 base channels, batch 4: a few CPU seconds per run
TINY_DCGAN = [
    "generator.image_size=16", "generator.ngf=8", "generator.nz=8",
    "discriminator.image_size=16", "discriminator.ndf=8",
    "data.load_size=16", "data.crop_size=16", "data.num_workers=0",
    "train.batch_size=4", "train.tensorboard=false", "train.progress=false", "train.log_every=1",
    "train.latest_every=1", "train.sample_every=3", "train.num_samples=2", "options.sample_grid=3",
]
LOSS_KEYS = ("loss_D", "loss_G", "G_GAN", "D_real", "D_fake")


_metrics = metrics  # loss_G rows by step


def _train(data: Path, out: Path, steps: int, extra=(), resume: bool = False, task: str = "dcgan", tiny=TINY_DCGAN) -> Path:
    args = TrainArgs(task=task, data=str(data), steps=steps, seed=3, overrides=[*tiny, *extra])
    return train(args, out=None if resume else str(out), resume=str(out) if resume else None)


@pytest.fixture
def images(tmp_path: Path) -> Path:
    return make_folder(tmp_path / "imgs", n=8, size=20)


@pytest.fixture
def classes(tmp_path: Path) -> Path:
    root = tmp_path / "cls"
    for i, name in enumerate(("cats", "dogs", "owls")):
        make_folder(root / "train" / name, n=3, size=16, seed=i)
    return root


def test_resume_equals_uninterrupted(images, tmp_path):
    full = _train(images, tmp_path / "full", 6)
    part = _train(images, tmp_path / "part", 3)
    _train(images, part, 6, resume=True)
    assert_resumed_like(full, part, LOSS_KEYS)
    grid = Image.open(full / "samples" / "step_00000006.png")
    assert grid.size[0] > grid.size[1]  # 3 fixed latents per row, 2 rows


def test_sample_seed_determinism_interpolation_and_onnx(images, tmp_path, capsys):
    run = _train(images, tmp_path / "run", 2)
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    assert run_cli(["predict", str(run), "--num", "5", "--seed", "7", "--out", str(a)]) == 0
    assert run_cli(["predict", str(run), "--num", "5", "--seed", "7", "--out", str(b)]) == 0
    assert run_cli(["predict", str(run), "--num", "5", "--seed", "8", "--out", str(c)]) == 0
    files = sorted(p.name for p in a.glob("seed7_*.png"))
    assert len(files) == 5 and Image.open(a / files[0]).size == (16, 16) and (a / "grid_seed7.png").is_file()
    arr = lambda p: np.asarray(Image.open(p), dtype=np.int16)  # noqa: E731
    assert all(np.array_equal(arr(a / f), arr(b / f)) for f in files)
    assert not np.array_equal(arr(a / files[0]), arr(c / "seed8_0000.png"))
    # the onnx backend draws the same latents: same images up to rounding
    o = tmp_path / "o"
    assert run_cli(["predict", str(run), "--num", "5", "--seed", "7", "--out", str(o), "--backend", "onnx"]) == 0
    assert all(np.abs(arr(a / f) - arr(o / f)).max() <= 1 for f in files)
    # interpolation strips: --num strips of K images, lerp and slerp
    for extra in ([], ["--slerp"]):
        s = tmp_path / f"strips{len(extra)}"
        assert run_cli(["predict", str(run), "--num", "2", "--interpolate", "4", "--out", str(s), *extra]) == 0
        strips = sorted(s.glob("interp_seed0_*.png"))
        assert len(strips) == 2 and Image.open(strips[0]).size == (4 * 18 + 2, 20)
    capsys.readouterr()
    assert run_cli(["predict", str(run), "x.png", "--num", "2", "--out", str(tmp_path / "x")]) == 2
    assert run_cli(["predict", str(run), "--psi", "0.5", "--num", "1", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "give no input images" in err and "truncation" in err


def test_interpolation_endpoints_are_the_sampled_latents():
    from translate.runtime.latent import interpolate_latents

    a, b = np.array([1.0, 0.0], np.float32), np.array([0.0, 2.0], np.float32)
    for slerp in (False, True):
        z = interpolate_latents(a, b, 5, slerp)
        np.testing.assert_allclose(z[0], a, atol=1e-6)
        np.testing.assert_allclose(z[-1], b, atol=1e-6)
    mid = interpolate_latents(a, b, 3, slerp=True)[1]
    assert np.linalg.norm(mid) > np.linalg.norm(interpolate_latents(a, b, 3)[1])  # slerp keeps the norm up


def test_class_conditional_on_class_folders(classes, tmp_path, capsys):
    run = _train(classes, tmp_path / "cond", 2, ["options.conditional=true"])
    capsys.readouterr()
    assert run_cli(["info", str(run), "--json"]) == 0
    g = json.loads(capsys.readouterr().out)["generators"]["G"]
    assert g["num_classes"] == 3 and g["domains"] == ["cats", "dogs", "owls"]
    out = tmp_path / "owls"
    assert run_cli(["predict", str(run), "--num", "3", "--class", "owls", "--out", str(out)]) == 0
    by_index = tmp_path / "two"
    assert run_cli(["predict", str(run), "--num", "3", "--class", "2", "--out", str(by_index)]) == 0
    a = np.asarray(Image.open(out / "seed0_0001.png"))
    assert np.array_equal(a, np.asarray(Image.open(by_index / "seed0_0001.png")))
    assert run_cli(["predict", str(run), "--num", "1", "--class", "horses", "--out", str(out)]) == 2
    # the exported graph takes z and y; onnxruntime gives the torch images for the same class
    onnx_out = tmp_path / "owls_onnx"
    assert run_cli(["predict", str(run), "--num", "3", "--class", "owls", "--out", str(onnx_out), "--backend", "onnx"]) == 0
    b = np.asarray(Image.open(onnx_out / "seed0_0001.png"), dtype=np.int16)
    assert np.abs(a.astype(np.int16) - b).max() <= 1
    # one sample-grid column per class
    grid = Image.open(run / "samples" / "step_00000002.png")
    assert grid.size[0] == 2 + 3 * 18


def test_info_json_paper_counts(capsys):
    assert run_cli(["info", "dcgan", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["generator"]["params"] == 3_576_704 and d["discriminator"]["params"] == 2_765_568
    assert d["generator"]["kind"] == "latent" and d["generator"]["z_dim"] == 100 and d["size"] == 64
    assert d["optim"]["betas"] == [0.5, 0.999] and d["train"]["batch_size"] == 128
    assert run_cli(["info", "dcgan", "--json", "--size", "32"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["generator"]["image_size"] == 32 and d["size"] == 32


def test_eval_duplicates_on_a_folder_and_a_run(images, tmp_path, capsys):
    dup = make_folder(tmp_path / "dups", n=6, size=16)
    for i in range(6):  # every image twice: duplicates at small batch sizes
        (dup / f"copy{i}.png").write_bytes((dup / f"img{i}.png").read_bytes())
    assert run_cli(["eval", "duplicates", str(dup), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["source"] == "folder" and d["n_images"] == 12 and d["n_duplicate_pairs"] == 6
    assert not d["lower_bound"] and d["support_estimate"] == d["s50"] ** 2
    run = _train(images, tmp_path / "run", 2)
    capsys.readouterr()
    pairs = tmp_path / "pairs.png"
    argv = ["eval", "duplicates", str(run), "--num", "40", "--reference", str(images), "--pairs", str(pairs), "--json"]
    assert run_cli(argv) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["source"] == "model" and d["n_images"] == 40 and d["threshold_source"].startswith("reference")
    assert pairs.is_file()
    assert run_cli(["eval", "duplicates", str(run), "--num", "40"]) == 0
    assert "support estimate" in capsys.readouterr().out


def _train_recipe(data: Path, out: Path, steps: int, task: str, recipe: str, tiny) -> Path:
    args = TrainArgs(task=task, data=str(data), steps=steps, seed=3, recipe=recipe, overrides=list(tiny))
    return train(args, out=str(out))


def test_r3gan_recipe_trains_rpgan_with_r1_and_r2(images, tmp_path):
    """models/dcgan/r3gan_digits.yaml: RpGAN + R1 + R2 every D step, Adam (0, 0.9), D without BatchNorm."""
    import torch
    import yaml

    run = _train_recipe(images, tmp_path / "r3", 4, "dcgan", "r3gan_digits", TINY_DCGAN)
    cfg = yaml.safe_load((run / "config.yaml").read_text())
    assert cfg["gan"]["loss"] == "rpgan" and cfg["gan"]["penalty"] == "r1r2" and cfg["gan"]["penalty_weight"] == 0.025
    assert (cfg["optim"]["beta1"], cfg["optim"]["beta2"]) == (0.0, 0.9) and cfg["discriminator"]["norm"] == "none"
    rows = metrics(run, "loss_D")
    assert sorted(rows) == [1, 2, 3, 4]
    assert all(np.isfinite([r["loss_D"], r["D_r1r2"], r["loss_G"]]).all() and r["D_r1r2"] > 0 for r in rows.values())
    from translate.registry import TASKS
    from translate.tasks.launch import build_config

    task = TASKS.build("dcgan", build_config(TrainArgs(task="dcgan", recipe="r3gan_digits", overrides=list(TINY_DCGAN))), "cpu")
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in task.nets["D"].modules())
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in task.nets["G"].modules())  # G keeps DCGAN's BN


def test_feature_matching_run(images, tmp_path):
    """gan.feature_matching on DCGAN D's phi(x) (Salimans et al. 2016): logged as G_FM, part of loss_G."""
    run = _train(images, tmp_path / "fm", 3, extra=["gan.feature_matching=1"])
    rows = metrics(run)
    assert sorted(rows) == [1, 2, 3]
    assert all(r["G_FM"] > 0 and r["loss_G"] == pytest.approx(r["G_GAN"] + r["G_FM"], rel=1e-5) for r in rows.values())
