"""StyleGAN task end to end: lazy R1 and path length as phases + style mixing + EMA, exact resume, psi, mixing grid, ONNX."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from tests.conftest import make_folder, run_cli
from tests.tasks.resume import assert_resumed_like, assert_same_losses, assert_same_weights
from tests.tasks.test_dcgan import _train

# 16 px StyleGAN with 8 channels, both lazy regularisers every 2 steps, EMA on
TINY_STYLEGAN = [
    "generator.resolution=16", "generator.channel_base=128", "generator.channel_max=8",
    "generator.z_dim=8", "generator.w_dim=8", "generator.mapping_layers=2",
    "discriminator.resolution=16", "discriminator.channel_base=128", "discriminator.channel_max=8",
    "gan.penalty_every=2", "options.pl_every=2", "train.ema=0.9",
    "data.load_size=16", "data.crop_size=16", "data.num_workers=0",
    "train.batch_size=4", "train.tensorboard=false", "train.progress=false", "train.log_every=1",
    "train.latest_every=1", "train.sample_every=3", "train.num_samples=2", "options.sample_grid=3",
]
LOSS_KEYS = ("loss_D", "loss_G", "G_GAN", "D_real", "D_fake")
REG_KEYS = ("loss_Dreg", "D_r1", "loss_Greg", "G_pl", "pl_length")  # logged on the steps the lazy phases run


def _train_sg(data: Path, out: Path, steps: int, extra=(), resume: bool = False) -> Path:
    return _train(data, out, steps, extra, resume, task="stylegan", tiny=TINY_STYLEGAN)


@pytest.fixture
def images(tmp_path: Path) -> Path:
    return make_folder(tmp_path / "imgs", n=8, size=20)


def test_resume_equals_uninterrupted_with_lazy_regularisers(images, tmp_path):
    full = _train_sg(images, tmp_path / "full", 6)
    part = _train_sg(images, tmp_path / "part", 3)
    _train_sg(images, part, 6, resume=True)
    a, b, _ = assert_resumed_like(full, part, LOSS_KEYS)  # also: the final generators are identical
    assert_same_losses(a, b, REG_KEYS, (5,))
    # the phases Dreg (R1) and Greg (path length) on engine steps 0, 2, 4 (logged as steps 1, 3, 5)
    for key in REG_KEYS:
        assert {s for s in a if key in a[s]} == {1, 3, 5}, key
    assert a[5]["pl_mean"] == b[5]["pl_mean"] and a[5]["pl_mean"] != a[3]["pl_mean"]
    assert a[5]["loss_Dreg"] == pytest.approx(5.0 * a[5]["D_r1"]) and a[5]["loss_Greg"] == pytest.approx(2.0 * a[5]["G_pl"])


def test_lazy_phases_take_their_own_optimizer_steps_with_corrected_adam(images, tmp_path):
    from translate.checkpoint import load_state

    run = _train_sg(images, tmp_path / "run", 3)
    optim = load_state(run / "checkpoints" / "step_00000003" / "state.pt")["optim"]
    for key in ("G", "D"):
        steps = max(int(s["step"]) for s in optim[key]["state"].values())
        assert steps == 3 + 2, key  # main phase every step + regulariser at steps 0 and 2
        group = optim[key]["param_groups"][0]  # the paper's 0.0025 and (0, 0.99), corrected by 2/3
        assert group["initial_lr"] == pytest.approx(0.0025 * 2 / 3) and group["betas"] == pytest.approx((0.0, 0.99 ** (2 / 3)))


def test_regulariser_phases_follow_their_options():
    from translate.registry import TASKS
    from translate.tasks.launch import TrainArgs, build_config

    def task(*extra):
        return TASKS.build("stylegan", build_config(TrainArgs(task="stylegan", overrides=[*TINY_STYLEGAN, *extra])), "cpu")

    assert [p.name for p in task().phases()] == ["Dmain", "Dreg", "Gmain", "Greg"]
    assert [p.name for p in task("options.pl_weight=0").phases()] == ["Dmain", "Dreg", "Gmain"]
    gboth = task("options.pl_every=1", "gan.penalty_every=1")  # interval 1: inside the main losses, no correction
    assert [p.name for p in gboth.phases()] == ["Dmain", "Gmain"]
    batch = {"image": torch.rand(2, 3, 16, 16) * 2 - 1}
    out = gboth.forward(batch, need_grad=True)
    assert "G_pl" in gboth.g_loss(batch, out, 1)[1] and "D_r1" in gboth.d_loss(batch, out, 1)[1]


def test_ema_update_blends_weights_and_copies_w_avg():
    from translate.core.ema import EMA
    from translate.nets.stylegan import TINY, StyleGAN2Generator

    torch.manual_seed(0)
    g = StyleGAN2Generator(**TINY)
    ema = EMA(g, decay=0.75)
    old = copy.deepcopy(g.state_dict())
    with torch.no_grad():
        for p in g.parameters():
            p.add_(torch.randn_like(p))
    g.mapping(torch.randn(4, TINY["z_dim"]), track=True)  # moves the w_avg buffer
    ema.update(g, step=10)
    shadow, new = ema.shadow.state_dict(), g.state_dict()
    for name, _ in g.named_parameters():
        torch.testing.assert_close(shadow[name], 0.75 * old[name] + 0.25 * new[name])
    torch.testing.assert_close(shadow["mapping.w_avg"], new["mapping.w_avg"])


def test_ema_generator_is_saved_and_differs_from_the_trained_one(images, tmp_path):
    from translate.checkpoint import load_state
    from translate.nets.loading import load_generators

    run = _train_sg(images, tmp_path / "run", 3)
    ck = run / "checkpoints" / "step_00000003"
    gf = load_generators(ck / "generator.safetensors")
    raw = load_state(ck / "state.pt")["nets"]["G"]
    assert gf.meta.get("ema") in (True, "true", "True")
    ema = gf.nets["G"].state_dict()
    assert any(not torch.equal(ema[k], raw[k]) for k in raw if k.endswith("weight"))


def test_psi_zero_mix_grid_and_onnx(images, tmp_path, capsys):
    run = _train_sg(images, tmp_path / "run", 2)
    arr = lambda p: np.asarray(Image.open(p), dtype=np.int16)  # noqa: E731
    t0 = tmp_path / "psi0"
    assert run_cli(["predict", str(run), "--num", "3", "--psi", "0", "--out", str(t0)]) == 0
    assert np.array_equal(arr(t0 / "seed0_0000.png"), arr(t0 / "seed0_0002.png"))  # all the average image
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        assert run_cli(["predict", str(run), "--num", "3", "--seed", "4", "--psi", "0.7", "--out", str(d)]) == 0
    assert all(np.array_equal(arr(a / f.name), arr(b / f.name)) for f in a.glob("*.png"))
    m = tmp_path / "mix"
    assert run_cli(["predict", str(run), "--mix-grid", "--num", "3", "--out", str(m)]) == 0
    assert Image.open(m / "mix_grid_seed0.png").size == (4 * 18 + 2, 4 * 18 + 2)
    s = tmp_path / "strip"
    assert run_cli(["predict", str(run), "--interpolate", "3", "--slerp", "--psi", "0.5", "--out", str(s)]) == 0
    assert len(list(s.glob("interp_*.png"))) == 1
    # export with z and psi inputs; the onnx backend gives the torch images
    onnx_file = tmp_path / "g.onnx"
    assert run_cli(["export", str(run), "--out", str(onnx_file)]) == 0
    import onnxruntime as ort

    names = [i.name for i in ort.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"]).get_inputs()]
    assert names == ["z", "psi"]
    o = tmp_path / "o"
    assert run_cli(["predict", str(onnx_file), "--num", "3", "--seed", "4", "--psi", "0.7", "--out", str(o)]) == 0
    assert all(np.abs(arr(a / f.name) - arr(o / f.name)).max() <= 1 for f in a.glob("seed*.png"))
    capsys.readouterr()
    assert run_cli(["predict", str(onnx_file), "--mix-grid", "--overwrite", "--out", str(m)]) == 2
    assert "torch backend" in capsys.readouterr().err


def test_info_json_and_size(capsys):
    assert run_cli(["info", "stylegan", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["generator"]["kind"] == "latent" and d["generator"]["image_size"] == 256
    assert d["gan"]["penalty"] == "r1" and d["optim"]["betas"] == [0.0, 0.99]
    assert run_cli(["info", "stylegan", "--json", "--size", "64"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["size"] == 64 and d["generator"]["image_size"] == 64


def test_conditional_is_rejected(images, tmp_path, capsys):
    argv = ["train", "stylegan", "--data", str(images), "--steps", "1", "--out", str(tmp_path / "r"),
            "--set", "options.conditional=true", "--set", "options.num_classes=2"]
    assert run_cli(argv) == 2
    assert "unconditional" in capsys.readouterr().err


def test_info_reports_phases_and_the_corrected_optimisers(capsys):
    """``translate info stylegan`` shows what the engine will run: phases and lazy-corrected lr/betas."""
    assert run_cli(["info", "stylegan", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["phases"] == "Dmain, Dreg every 16, Gmain, Greg every 4" and d["optim"]["name"] == "adam"
    g, dd = d["optim"]["effective"]["G"], d["optim"]["effective"]["D"]
    assert g["lr"] == pytest.approx(0.0025 * 4 / 5) and g["betas"][1] == pytest.approx(0.99 ** (4 / 5))
    assert dd["lr"] == pytest.approx(0.0025 * 16 / 17) and dd["betas"][1] == pytest.approx(0.99 ** (16 / 17))


def test_r3gan_recipe_trains(tmp_path):
    """models/stylegan/r3gan.yaml: RpGAN + R1 + R2 in Dmain every step (no Dreg), no path length, Adam (0, 0.9)."""
    from translate.tasks.launch import TrainArgs, train

    tiny = [o for o in TINY_STYLEGAN if not o.startswith(("gan.penalty_every", "options.pl_every"))]
    data = make_folder(tmp_path / "imgs", n=8, size=20)
    run = train(TrainArgs(task="stylegan", data=str(data), steps=3, seed=3, recipe="r3gan", overrides=tiny), out=str(tmp_path / "r3"))
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    d_rows = [r for r in rows if "loss_D" in r]
    assert len(d_rows) == 3 and all(r["D_r1r2"] > 0 and math.isfinite(r["loss_D"]) for r in d_rows)
    assert not any("loss_Dreg" in r or "loss_Greg" in r for r in rows)


def test_adain_recipe_trains_resumes_exactly_and_predicts_via_the_cli(images, tmp_path, capsys):
    """models/stylegan/adain_digits.yaml (style: adain) at 16 px through the CLI: a run resumed after step 2
    ends with the weights of an uninterrupted one; the file rebuilds the AdaIN G and info shows its style."""
    sets = [a for o in TINY_STYLEGAN for a in ("--set", o)]
    base = ["train", "stylegan", "--recipe", "adain_digits", "--data", str(images), "--seed", "3", *sets]
    full, part = tmp_path / "full", tmp_path / "part"
    assert run_cli([*base, "--steps", "4", "--out", str(full)]) == 0
    assert run_cli([*base, "--steps", "2", "--out", str(part)]) == 0
    assert run_cli(["train", "stylegan", "--resume", str(part), "--steps", "4"]) == 0
    assert_same_weights(full, part, step=4)
    capsys.readouterr()
    assert run_cli(["info", str(full), "--json"]) == 0
    g = json.loads(capsys.readouterr().out)["generators"]["G"]
    assert g["style"] == "adain" and g["class"] == "StyleGAN1Generator"
    out = tmp_path / "pred"
    assert run_cli(["predict", str(full), "--num", "2", "--psi", "0", "--out", str(out)]) == 0
    imgs = sorted(out.glob("seed*.png"))
    assert len(imgs) == 2 and np.array_equal(np.asarray(Image.open(imgs[0])), np.asarray(Image.open(imgs[1])))
