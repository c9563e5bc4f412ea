"""Progressive StyleGAN end to end: exact resume mid-fade, and a mid-schedule checkpoint predicts/exports at its stage."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import make_folder, run_cli
from tests.tasks.resume import assert_same_losses, assert_same_weights, metrics
from tests.tasks.test_stylegan import LOSS_KEYS, TINY_STYLEGAN
from translate.tasks.launch import TrainArgs, train

# 4 -> 16 px in steps: 4 px steps 0-1, 8 px fade-in 2-3, 8 px stable 4-5, 16 px fade-in 6-7, 16 px stable 8-9
GROW = ["progressive.start=4", "progressive.unit=steps", "progressive.stable=2", "progressive.fade=2",
        "options.style_mixing=0.9", "options.pl_weight=2"]


def _train(data: Path, out: Path, steps: int, style: str, resume: bool = False) -> Path:
    over = [*TINY_STYLEGAN, *GROW, f"generator.style={style}"]
    args = TrainArgs(task="stylegan", data=str(data), steps=steps, seed=5, overrides=over)
    return train(args, out=None if resume else str(out), resume=str(out) if resume else None)


@pytest.fixture
def images(tmp_path: Path) -> Path:
    return make_folder(tmp_path / "imgs", n=8, size=20)


@pytest.mark.parametrize("style", ["adain", "modulated"])
def test_resume_in_the_middle_of_a_fade_in_equals_an_uninterrupted_run(images, tmp_path, style):
    full = _train(images, tmp_path / "full", 6, style)
    part = _train(images, tmp_path / "part", 3, style)  # stopped inside the 8 px fade-in
    _train(images, part, 6, style, resume=True)
    a, b = metrics(full), metrics(part)
    assert_same_losses(a, b, (*LOSS_KEYS, "alpha", "resolution"), steps=range(4, 7))
    assert_same_weights(full, part, 6)
    assert [a[k]["resolution"] for k in (2, 3, 6)] == [4.0, 8.0, 8.0] and a[4]["alpha"] == 0.5


def test_mid_schedule_checkpoint_predicts_and_exports_at_its_stage(images, tmp_path, capsys):
    run = _train(images, tmp_path / "run", 5, "modulated")  # stopped at 8 px (stable), nets built to 16 px
    capsys.readouterr()
    assert run_cli(["info", str(run), "--json"]) == 0
    g = json.loads(capsys.readouterr().out)["generators"]["G"]
    assert g["stage"] == {"level": 1, "alpha": 1.0, "resolution": 8, "full_resolution": 16} and g["image_size"] == 8
    a, o = tmp_path / "a", tmp_path / "o"
    assert run_cli(["predict", str(run), "--num", "2", "--seed", "1", "--out", str(a)]) == 0
    assert run_cli(["predict", str(run), "--num", "2", "--seed", "1", "--out", str(o), "--backend", "onnx"]) == 0
    assert {Image.open(p).size for p in a.glob("seed1_*.png")} == {(8, 8)}  # the trained 8 px, not untrained 16 px layers
    arr = lambda p: np.asarray(Image.open(p), dtype=np.int16)  # noqa: E731
    assert all(np.abs(arr(a / f.name) - arr(o / f.name)).max() <= 1 for f in a.glob("seed1_*.png"))
    done = _train(images, run, 10, "modulated", resume=True)  # the whole schedule: full size
    assert run_cli(["predict", str(done), "--num", "1", "--seed", "1", "--out", str(tmp_path / "f")]) == 0
    assert Image.open(tmp_path / "f" / "seed1_0000.png").size == (16, 16)
