"""pix2pix end to end on tiny folders: train, resume exactly, predict, info, errors."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from PIL import Image

from tests.conftest import REPO, TINY_PIX2PIX, run_cli
from tests.tasks.resume import assert_resumed_like, assert_same_losses, recipe_round_trip
from tests.tasks.resume import metrics as _metrics
from translate.tasks.launch import TrainArgs, train


def _train(data: Path, out: Path, steps: int, extra=(), resume: bool = False) -> Path:
    args = TrainArgs(task="pix2pix", data=str(data), steps=steps, seed=3, overrides=[*TINY_PIX2PIX, *extra])
    return train(args, out=None if resume else str(out), resume=str(out) if resume else None)


LOSS_KEYS = ("loss_D", "loss_G", "G_L1", "G_GAN", "D_real", "D_fake")


def test_resume_equals_uninterrupted(aligned_dir, tmp_path):
    const = ["schedule.kind=constant"]
    full = _train(aligned_dir, tmp_path / "full", 6, const)
    part = _train(aligned_dir, tmp_path / "part", 3, const)
    assert (part / "checkpoints" / "LATEST").read_text() == "step_00000003"
    _train(aligned_dir, part, 6, const, resume=True)
    assert_resumed_like(full, part, LOSS_KEYS)  # losses at steps 4-6 and the final generator
    assert sorted(p.name for p in (full / "samples").glob("*.png")) == ["step_00000003.png", "step_00000006.png"]
    assert (full / "config.yaml").is_file()


@pytest.mark.slow
def test_resume_after_kill_with_linear_decay(aligned_dir, tmp_path):
    """A run killed with SIGKILL mid-training resumes to the same trajectory (paper LR schedule)."""
    steps = 24
    opts = [*TINY_PIX2PIX, "train.sample_every=0", "schedule.kind=linear", "schedule.per=step"]
    base = [sys.executable, "-m", "translate", "train", "pix2pix", "--data", str(aligned_dir), "--steps", str(steps), "--seed", "3"]
    sets = [a for o in opts for a in ("--set", o)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run([*base, "--out", str(tmp_path / "full"), *sets], check=True, env=env, capture_output=True)
    killed = tmp_path / "killed"
    proc = subprocess.Popen([*base, "--out", str(killed), *sets], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and not (killed / "checkpoints" / "step_00000004").exists():
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    latest = (killed / "checkpoints" / "LATEST").read_text()
    assert latest < f"step_{steps:08d}", "the run finished before it could be killed"
    resume = [sys.executable, "-m", "translate", "train", "pix2pix", "--resume", str(killed)]
    subprocess.run(resume, check=True, env=env, capture_output=True)
    a, b = _metrics(tmp_path / "full"), _metrics(killed)
    assert sorted(b) == list(range(1, steps + 1)), latest
    assert_same_losses(a, b, LOSS_KEYS, range(1, steps + 1))


def test_predict_keeps_sizes_and_names(aligned_dir, tmp_path):
    run = _train(aligned_dir, tmp_path / "run", 2)
    inputs = tmp_path / "in"
    inputs.mkdir()
    Image.new("RGB", (50, 37), (200, 10, 10)).save(inputs / "odd.jpg")
    Image.new("L", (32, 32), 128).save(inputs / "gray.png")
    (inputs / "broken.png").write_bytes(b"not an image")
    out = tmp_path / "out"
    assert run_cli(["predict", str(run), str(inputs), "--out", str(out)]) == 2  # one bad input: reported, the others still written
    assert Image.open(out / "odd.png").size == (50, 37)
    assert Image.open(out / "gray.png").size == (32, 32)
    assert not (out / "broken.png").exists()


def test_info_json_paper_counts(capsys):
    assert run_cli(["info", "pix2pix", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["generator"]["arch"] == "unet_256" and d["generator"]["params"] == 54_413_955
    assert d["generator"]["input_multiple"] == 256
    assert d["discriminator"]["params"] == 2_768_705 and d["discriminator"]["receptive_field"] == 70
    assert d["discriminator"]["in_channels"] == 6


def test_size_picks_unet_depth(capsys):
    assert run_cli(["info", "pix2pix", "--json", "--size", "128"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["generator"]["arch"] == "unet_128" and d["generator"]["params"] == 41_828_995


@pytest.mark.parametrize("argv, message", [
    (["train", "pix2pix", "--data", "/nonexistent/dir", "--steps", "1"], "/nonexistent/dir"),
    (["train", "pix2pix", "--data", ".", "--steps", "1", "--set", "train.stepz=1"], "unknown key 'stepz'"),
    (["train", "nosuchtask", "--data", "."], "unknown task 'nosuchtask'"),
    (["predict", "/nonexistent.safetensors", "x.png", "--out", "o"], "/nonexistent.safetensors"),
])
def test_cli_bad_usage_exits_2(argv, message, capsys):
    assert run_cli(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_bad_training_image_stops_with_its_name_or_is_skipped(aligned_dir, tmp_path, capsys):
    bad = aligned_dir / "train" / "9.png"
    good = (aligned_dir / "train" / "0.png").read_bytes()
    bad.write_bytes(good[: len(good) // 2])  # truncated PNG
    argv = ["train", "pix2pix", "--data", str(aligned_dir), "--steps", "6", "--out", str(tmp_path / "r1")]
    sets = [a for o in [*TINY_PIX2PIX, "data.num_workers=2"] for a in ("--set", o)]
    assert run_cli([*argv, *sets]) == 2
    err = capsys.readouterr().err
    # the run may have announced itself ("training from step ...") before a worker hit the file
    problems = [line for line in err.strip().splitlines() if not line.startswith("training from step")]
    assert len(problems) == 1 and "9.png" in problems[0] and "truncated" in problems[0], err
    argv[-1] = str(tmp_path / "r2")
    assert run_cli([*argv, *sets, "--skip-bad"]) == 0
    out = capsys.readouterr()
    assert "skipped bad image" in out.out + out.err and "9.png" in out.out + out.err
    assert (tmp_path / "r2" / "checkpoints" / "LATEST").read_text() == "step_00000006"


def test_eval_paired_on_derived_model_uses_photo_folder(tmp_path, capsys):
    from tests.conftest import make_folder

    photos = make_folder(tmp_path / "photos" / "train", n=4, size=32)
    make_folder(tmp_path / "photos" / "val", n=2, size=32, seed=5)
    run = tmp_path / "run"
    args = ["train", "pix2pix", "--data", str(photos.parent), "--derive", "colorization", "--steps", "2", "--out", str(run)]
    assert run_cli([*args, *[a for o in TINY_PIX2PIX for a in ("--set", o)]]) == 0
    capsys.readouterr()
    assert run_cli(["eval", "paired", str(run), "--data", str(photos.parent), "--split", "val", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["images"] == 2 and set(d[str(run)]) == {"L1", "PSNR", "SSIM"}


# the modern recipe with the screened-out levers switched on, at 64 px (each of the 2 D scales needs 32 px at n_layers 2)
LEVERS = ["discriminator.arch=patchgan_multiscale", "discriminator.num_d=2", "discriminator.norm=none", "gan.loss=hinge",
          "gan.spectral_norm=true", "gan.feature_matching=10", "gan.feature_matching_kind=pix2pixhd",
          "schedule.per=step", "schedule.warmup=100",
          "train.n_critic=1", "optim.lr_g=2e-4", "optim.lr_d=2e-4"]  # not hinge's own SN-GAN settings (n_critic 5, 1e-4)
MODERN_64 = [*TINY_PIX2PIX, "data.load_size=72", "data.crop_size=64", "train.sample_every=0", *LEVERS]


def test_modern_recipe_and_every_lever_take_effect(aligned_dir, tmp_path):
    """models/pix2pix/modern.yaml (resize-conv G, EMA G) with the other levers set: spectrally normalised
    multi-scale D, hinge, pix2pixHD FM, LR warm-up; the EMA G is what the generator file (predict, export) holds."""
    from safetensors.torch import load_file
    from torch import nn

    from translate.core.spectral import spectral_normalised
    from translate.nets.layers import ResizeConv
    from translate.nets.patchgan import MultiscaleDiscriminator
    from translate.registry import LOSSES
    from translate.tasks.launch import build_config, engine_for

    const = [*MODERN_64, "schedule.kind=constant"]  # a 2-step linear decay would end at lr 0; the warm-up alone
    cfg = build_config(TrainArgs(task="pix2pix", recipe="modern", data=str(aligned_dir), steps=2, seed=3, overrides=const))
    eng = engine_for(cfg, tmp_path / "run")
    g, d = eng.task.nets["G"], eng.task.nets["D"]
    assert any(isinstance(m, ResizeConv) for m in g.modules()) and not any(isinstance(m, nn.ConvTranspose2d) for m in g.modules())
    assert isinstance(d, MultiscaleDiscriminator) and d.num_d == 2
    assert len(spectral_normalised(d)) == sum(isinstance(m, nn.Conv2d) for m in d.modules()) == 2 * 4
    assert eng.task.adv.loss is LOSSES.get("hinge") and eng.task.adv.augment.groups == (3, 3)
    assert eng.task.adv.condition_channels == 3  # R1/GP on D's gradient in B only
    eng.fit()
    rows = _metrics(tmp_path / "run")
    assert sorted(rows) == [1, 2] and all(r["G_FM"] > 0 for r in rows.values())
    assert eng.opt["G"].param_groups[0]["lr"] == pytest.approx(2e-4 * 3 / 100)  # warm-up: (step + 1) / 100 after 2 steps
    saved = load_file(str(tmp_path / "run" / "checkpoints" / "step_00000002" / "generator.safetensors"))
    shadow, live = eng.ema["G"].shadow.state_dict(), g.state_dict()
    assert all(torch.equal(saved[f"G.{k}"], v) for k, v in shadow.items())
    assert any(not torch.equal(shadow[k], live[k]) for k in shadow if shadow[k].is_floating_point())


def test_modern_recipe_trains_resumes_predicts_and_exports(aligned_dir, tmp_path):
    pytest.importorskip("onnxruntime")
    recipe_round_trip(run_cli, "pix2pix", "modern", aligned_dir, tmp_path, MODERN_64, min((aligned_dir / "val").iterdir()))


def test_modern_recipe_is_the_paper_recipe_plus_its_levers():
    """models/pix2pix/modern.yaml (issue 17) changes exactly the measured levers: resize-conv upsampling and EMA of G."""
    from translate.tasks.launch import build_config

    paper = build_config(TrainArgs(task="pix2pix", size=128))
    modern = build_config(TrainArgs(task="pix2pix", size=128, recipe="modern"))
    assert modern.generator.options == {**paper.generator.options, "upsample": "resize_conv"}
    assert (modern.train.ema, modern.train.ema_rampup) == (0.999, 0.1) and paper.train.ema == 0.0
    assert (modern.gan, modern.options, modern.optim, modern.data) == (paper.gan, paper.options, paper.optim, paper.data)


def test_budget_recipe_is_the_paper_recipe_plus_its_levers():
    """models/pix2pix/budget.yaml (issue 17, b6) changes exactly ngf, the LRs, EMA with averaged BN statistics and the GAN loss (LSGAN)."""
    from translate.tasks.launch import build_config

    paper = build_config(TrainArgs(task="pix2pix", size=128))
    budget = build_config(TrainArgs(task="pix2pix", size=128, recipe="budget"))
    assert budget.generator.arch == paper.generator.arch == "unet_128"
    assert budget.generator.options == {**paper.generator.options, "ngf": 32} and paper.generator.options["ngf"] == 64
    assert (budget.optim.lr_g, budget.optim.lr_d) == (4e-4, 4e-4) and budget.optim.beta1 == paper.optim.beta1
    assert (budget.train.ema, budget.train.ema_rampup, budget.train.ema_buffers) == (0.999, 0.1, "average")
    assert paper.train.ema_buffers == "copy"
    assert budget.gan == dataclasses.replace(paper.gan, loss="lsgan") and paper.gan.loss == "vanilla"
    assert (budget.options, budget.data, budget.discriminator) == (paper.options, paper.data, paper.discriminator)
