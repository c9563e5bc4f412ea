"""ProGAN end to end on tiny folders: phases, exact resume in the middle of a fade-in, reals per stage, export."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from tests.conftest import make_folder, run_cli
from tests.tasks.resume import assert_same_losses, assert_same_weights, metrics
from translate.checkpoint import read_generator_tensors
from translate.tasks.launch import TrainArgs, train
from translate.tasks.progan import reals_at_stage
from translate.webapp.cards import size_words, training_facts
from translate.webapp.catalogue import ModelEntry

# 4 -> 16 px in steps: 4 px steps 0-1, 8 px fade-in 2-3 (batch 2), 8 px stable 4-5, 16 px fade-in 6-7, ...
TINY_PROGAN = [
    "generator.resolution=16", "generator.latent_size=8", "generator.fmap_base=32", "generator.fmap_max=8",
    "discriminator.resolution=16", "discriminator.fmap_base=32", "discriminator.fmap_max=8",
    "data.load_size=16", "data.crop_size=16", "data.num_workers=0",
    "progressive.unit=steps", "progressive.stable=2", "progressive.fade=2", "progressive.batch_sizes={4: 4, 8: 2, 16: 2}",
    "train.batch_size=4", "train.tensorboard=false", "train.progress=false", "train.log_every=1",
    "train.latest_every=1", "train.num_samples=2", "options.sample_grid=3", "train.ema=0.9",
]
LOSS_KEYS = ("loss_D", "loss_G", "D_real", "D_fake", "D_gp", "D_drift", "alpha", "resolution")


def _train(data: Path, out: Path, steps: int, extra=(), resume: bool = False) -> Path:
    args = TrainArgs(task="progan", data=str(data), steps=steps, seed=5, overrides=[*TINY_PROGAN, *extra])
    return train(args, out=None if resume else str(out), resume=str(out) if resume else None)


@pytest.fixture
def images(tmp_path: Path) -> Path:
    return make_folder(tmp_path / "imgs", n=9, size=20)  # 3 batches of 4: the batch change at step 2 cuts the epoch


@pytest.mark.parametrize("stop", [3, 2], ids=["mid-fade", "at-batch-change"])
def test_resume_equals_uninterrupted(images, tmp_path, stop):
    """Stopped after ``stop`` steps (3: inside the 8 px fade-in; 2: where it starts with a new batch size), resumed to 6."""
    full = _train(images, tmp_path / "full", 6)
    part = _train(images, tmp_path / "part", stop)
    _train(images, part, 6, resume=True)
    a, b = metrics(full), metrics(part)
    assert sorted(b) == [1, 2, 3, 4, 5, 6]
    assert_same_losses(a, b, LOSS_KEYS, steps=range(stop + 1, 7))
    assert_same_weights(full, part, 6)
    assert [a[k]["alpha"] for k in (2, 3, 4, 5)] == [1.0, 0.0, 0.5, 1.0]  # metrics row k: step k - 1
    assert [a[k]["resolution"] for k in (2, 3, 6)] == [4.0, 8.0, 8.0]
    assert a[2]["D_drift"] > 0 and a[2]["D_gp"] >= 0


def test_phase_grids_full_size_and_onnx_export(images, tmp_path, capsys):
    run = _train(images, tmp_path / "run", 8)
    grids = sorted(p.name for p in (run / "samples").glob("step_*.png"))
    assert {"step_00000002.png", "step_00000004.png", "step_00000006.png", "step_00000008.png"} <= set(grids)  # every phase end
    sizes = {Image.open(run / "samples" / g).size for g in grids}
    assert len(sizes) == 1  # 4 px and 8 px samples upsampled to 16 px
    capsys.readouterr()
    assert run_cli(["info", str(run), "--json"]) == 0
    g = json.loads(capsys.readouterr().out)["generators"]["G"]
    assert g["image_size"] == 16 and g["z_dim"] == 8
    # the generator file rebuilds at the last level, alpha 1: 16 px, and onnxruntime matches torch
    a, o = tmp_path / "a", tmp_path / "o"
    assert run_cli(["predict", str(run), "--num", "3", "--seed", "1", "--out", str(a)]) == 0
    assert run_cli(["predict", str(run), "--num", "3", "--seed", "1", "--out", str(o), "--backend", "onnx"]) == 0
    arr = lambda p: np.asarray(Image.open(p), dtype=np.int16)  # noqa: E731
    assert Image.open(a / "seed1_0000.png").size == (16, 16)
    assert all(np.abs(arr(a / f.name) - arr(o / f.name)).max() <= 1 for f in a.glob("seed1_*.png"))


def test_reals_follow_the_stage():
    x = torch.rand(2, 3, 16, 16) * 2 - 1
    torch.testing.assert_close(reals_at_stage(x, 2, 1.0, 16), x)
    torch.testing.assert_close(reals_at_stage(x, 1, 1.0, 16), F.avg_pool2d(x, 2))
    coarse = F.interpolate(F.avg_pool2d(x, 4), scale_factor=2.0, mode="nearest")
    torch.testing.assert_close(reals_at_stage(x, 1, 0.0, 16), coarse)  # fade-in start: the 4 px image, upsampled
    torch.testing.assert_close(reals_at_stage(x, 1, 0.25, 16), torch.lerp(coarse, F.avg_pool2d(x, 2), 0.25))


def test_info_json_paper_counts_and_settings(capsys):
    assert run_cli(["info", "progan", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["generator"]["params"] == 23_079_115 and d["discriminator"]["params"] == 23_087_249
    assert d["size"] == 1024 and d["optim"]["betas"] == [0.0, 0.99]


def test_mid_schedule_file_predicts_at_its_trained_resolution(images, tmp_path):
    """Stopped after 5 steps (8 px stable): the generator file rebuilds at 8 px, not with the untrained 16 px layers."""
    run = _train(images, tmp_path / "run", 5)
    meta, _ = read_generator_tensors(run / "checkpoints/step_00000005/generator.safetensors")
    spec = meta["nets"][meta["default"]]
    assert spec["resolution"] == 8 and spec["options"]["level"] == 1 and spec["options"]["alpha"] == 1.0
    assert run_cli(["predict", str(run), "--num", "2", "--seed", "1", "--out", str(tmp_path / "p")]) == 0
    assert Image.open(tmp_path / "p" / "seed1_0000.png").size == (8, 8)
    # the web demo's card says the stage the file was saved at, not the schedule's final crop size
    facts = training_facts(ModelEntry("mid", run / "checkpoints/step_00000005/generator.safetensors"))
    assert (facts["stage"], facts["crop"]) == (8, 16)
    assert size_words(facts) == "saved at the 8 px stage of a schedule growing to 16 px"
