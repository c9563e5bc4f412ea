"""CycleGAN end to end on tiny unpaired folders: train, resume exactly, predict both ways, info, eval, errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from tests.conftest import make_aligned, make_folder, run_cli
from tests.tasks.resume import assert_resumed_like, recipe_round_trip
from translate.tasks.launch import TrainArgs, build_config, engine_for, train

# Tiny CycleGAN for CPU tests: ResNet with 2 blocks, 2-layer PatchGAN, 8 base channels, a pool of 2
# so that the pool's swap branch (and its state across resume) is exercised within a few steps.
TINY_CYCLEGAN = [
    "generator.arch=resnet", "generator.n_blocks=2", "generator.ngf=8",
    "discriminator.ndf=8", "discriminator.n_layers=2", "gan.pool_size=2",
    "data.load_size=36", "data.crop_size=32", "data.num_workers=0",
    "train.tensorboard=false", "train.progress=false", "train.log_every=1", "train.latest_every=1",
    "train.sample_every=3", "train.num_samples=2",
]
LOSS_KEYS = ("loss_G", "loss_D", "G_A_GAN", "G_B_GAN", "cycle_A", "cycle_B", "idt_A", "idt_B",
             "loss_D_A", "loss_D_B", "D_real_A", "D_fake_A", "D_real_B", "D_fake_B")


@pytest.fixture
def unpaired_dir(tmp_path: Path) -> Path:
    """trainA 3, trainB 5, testA 2, testB 3 images of 32 px (folders of different sizes)."""
    root = tmp_path / "unpaired"
    for name, n, seed in (("trainA", 3, 0), ("trainB", 5, 1), ("testA", 2, 2), ("testB", 3, 3)):
        make_folder(root / name, n=n, size=32, seed=seed)
    return root


def _train(data: Path, out: Path, steps: int, extra=(), resume: bool = False) -> Path:
    args = TrainArgs(task="cyclegan", data=str(data), steps=steps, seed=3, overrides=[*TINY_CYCLEGAN, *extra])
    return train(args, out=None if resume else str(out), resume=str(out) if resume else None)


def _sets(opts: list[str]) -> list[str]:
    return [a for o in opts for a in ("--set", o)]


def test_resume_equals_uninterrupted(unpaired_dir, tmp_path):
    const = ["schedule.kind=constant"]
    full = _train(unpaired_dir, tmp_path / "full", 6, const)
    part = _train(unpaired_dir, tmp_path / "part", 3, const)
    assert (part / "checkpoints" / "LATEST").read_text() == "step_00000003"
    state = torch.load(part / "checkpoints/step_00000003/state.pt", weights_only=True)
    assert len(state["task"]["pool_A"]["images"]) == 2 and len(state["task"]["pool_B"]["images"]) == 2
    assert set(state["nets"]) == {"D_A", "D_B"}  # generators live in generator.safetensors
    _train(unpaired_dir, part, 6, const, resume=True)
    _, _, wa = assert_resumed_like(full, part, LOSS_KEYS)
    assert {k.split(".")[0] for k in wa} == {"G_A", "G_B"}
    grid = Image.open(full / "samples" / "step_00000006.png")
    assert grid.size == (6 * 34 + 2, 2 * 34 + 2)  # 6 columns (A, fake B, rec A, B, fake A, rec B), 2 rows
    evals = [json.loads(line) for line in (full / "metrics.jsonl").read_text().splitlines()]
    final = [r for r in evals if "eval/cycle_L1_ABA" in r][-1]
    assert final["eval/images_A"] == 2 and final["eval/images_B"] == 3  # the test split, each image once


def test_predict_direction_picks_the_generator(unpaired_dir, tmp_path):
    from translate.inference import open_translator

    run = _train(unpaired_dir, tmp_path / "run", 2)
    assert open_translator(run, direction="AtoB").info.net == "G_A"
    assert open_translator(run, direction="BtoA").info.net == "G_B"
    inputs = tmp_path / "in"
    inputs.mkdir()
    Image.new("RGB", (50, 37), (200, 10, 10)).save(inputs / "odd.jpg")
    outs = {}
    for direction in ("AtoB", "BtoA"):
        out = tmp_path / direction
        assert run_cli(["predict", str(run), str(inputs), "--out", str(out), "--direction", direction]) == 0
        img = Image.open(out / "odd.png")
        assert img.size == (50, 37)
        outs[direction] = np.asarray(img)
    assert not np.array_equal(outs["AtoB"], outs["BtoA"])
    assert run_cli(["predict", str(run), str(inputs), "--out", str(tmp_path / "gb"), "--net", "G_B"]) == 0
    assert np.array_equal(np.asarray(Image.open(tmp_path / "gb" / "odd.png")), outs["BtoA"])


def test_direction_btoa_data_flips_the_recorded_directions(unpaired_dir):
    from translate.registry import TASKS

    cfg = build_config(TrainArgs(task="cyclegan", data=str(unpaired_dir), direction="BtoA", overrides=TINY_CYCLEGAN))
    meta = TASKS.build("cyclegan", cfg, "cpu").generator_meta()
    assert meta["G_A"]["direction"] == "BtoA" and meta["G_B"]["direction"] == "AtoB"


def test_info_json_paper_counts(capsys):
    assert run_cli(["info", "cyclegan", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert set(d["generators"]) == {"G_A", "G_B"} and set(d["discriminators"]) == {"D_A", "D_B"}
    for g in d["generators"].values():
        assert g["arch"] == "resnet_9blocks" and g["params"] == 11_378_179 and g["input_multiple"] == 4
    for disc in d["discriminators"].values():
        assert disc["params"] == 2_764_737 and disc["receptive_field"] == 70 and disc["in_channels"] == 3
        assert disc["options"]["norm"] == "instance"
    assert d["gan"] == {"loss": "lsgan", "penalty": "none", "pool_size": 50}
    assert d["options"]["lambda_identity"] == 0.5 and d["options"]["lambda_a"] == d["options"]["lambda_b"] == 10
    assert run_cli(["info", "cyclegan", "--json", "--size", "128"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["generator"]["arch"] == "resnet_6blocks" and d["generator"]["params"] == 7_837_699


def test_eval_cycle_cli(unpaired_dir, tmp_path, capsys):
    from translate.inference import open_translator

    run = _train(unpaired_dir, tmp_path / "run", 2, ["train.sample_every=0"])
    capsys.readouterr()
    assert run_cli(["eval", "cycle", str(run), "--data", str(unpaired_dir), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["images_A"] == 2 and d["images_B"] == 3 and d["split"] == "test"
    ours = d[str(run)]
    assert set(ours) == {"cycle_L1_ABA", "cycle_L1_BAB", "change_L1_AB", "change_L1_BA"}
    assert all(v == 0 for v in d["identity (G_A = G_B = id)"].values())
    assert 0 < d["domain_gap_L1"] < 2
    # cycle L1 over testA by hand (the test images are already at the training crop, 32 px)
    g_a, g_b = (open_translator(run, direction=d).backend.module for d in ("AtoB", "BtoA"))
    errs = []
    for f in sorted((unpaired_dir / "testA").iterdir()):
        x = torch.from_numpy(np.asarray(Image.open(f).convert("RGB"), np.float32) / 127.5 - 1).permute(2, 0, 1)[None]
        with torch.no_grad():
            errs.append(float((g_b(g_a(x)) - x).abs().mean()))
    assert ours["cycle_L1_ABA"] == pytest.approx(sum(errs) / len(errs), abs=1e-4)
    assert run_cli(["eval", "cycle", str(run), "--data", str(unpaired_dir), "--split", "test", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[str(run)] == ours  # deterministic


def test_eval_cycle_rejects_single_generator_models(tmp_path, capsys):
    import translate.nets  # noqa: F401  (registers the nets)
    from translate.checkpoint import save_generators
    from translate.config import NetConfig
    from translate.registry import GENERATORS
    from translate.tasks.base import build_net
    g = build_net(GENERATORS, NetConfig(arch="resnet", options={"n_blocks": 1, "ngf": 8}))
    save_generators(tmp_path / "g.safetensors", {"G": g}, task="pix2pix", config=None)
    assert run_cli(["eval", "cycle", str(tmp_path / "g.safetensors"), "--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "G_A and G_B" in err and len(err.strip().splitlines()) == 1


def test_reference_cyclegan_generator_imports_and_predicts(tmp_path):
    """A ``latest_net_G_A.pth`` in the reference key layout (DataParallel prefix, old IN stats)."""
    import translate.nets  # noqa: F401  (registers the nets)
    from translate.registry import GENERATORS
    ref = GENERATORS.build("resnet_9blocks")
    sd = {f"module.{k}": v for k, v in ref.state_dict().items()}
    keys = {k[len("module."):] for k in sd}
    assert {"model.1.weight", "model.1.bias", "model.4.weight", "model.7.weight", "model.19.weight",
            "model.22.weight", "model.26.weight"} <= keys
    assert {f"model.{i}.conv_block.{j}.weight" for i in range(10, 19) for j in (1, 5)} <= keys
    sd["module.model.10.conv_block.2.running_mean"] = torch.zeros(256)  # old InstanceNorm buffers
    sd["module.model.10.conv_block.2.running_var"] = torch.ones(256)
    torch.save(sd, tmp_path / "latest_net_G_A.pth")
    Image.new("RGB", (68, 48), (20, 120, 220)).save(tmp_path / "horse.png")  # a multiple of 4: no padding
    out = tmp_path / "o"
    argv = ["predict", str(tmp_path / "latest_net_G_A.pth"), str(tmp_path / "horse.png"), "--arch", "resnet_9blocks", "--out", str(out)]
    assert run_cli(argv) == 0
    got = np.asarray(Image.open(out / "horse.png"), np.float32)
    x = torch.from_numpy(np.asarray(Image.open(tmp_path / "horse.png"), np.float32) / 127.5 - 1).permute(2, 0, 1)[None]
    with torch.no_grad():
        want = ((ref.eval()(x)[0].permute(1, 2, 0).numpy() + 1) * 127.5)
    assert got.shape == (48, 68, 3) and np.abs(got - want).max() <= 1.0


@pytest.mark.parametrize("setup, message", [
    ("empty_trainB", "trainB: no images found"),
    ("paired", "cyclegan reads the layouts unpaired ("),
])
def test_bad_data_exits_2(setup, message, unpaired_dir, tmp_path, capsys):
    if setup == "empty_trainB":
        for p in (unpaired_dir / "trainB").iterdir():
            p.unlink()
        data = unpaired_dir
    else:
        data = make_aligned(tmp_path / "pairs", 2, 32)
    argv = ["train", "cyclegan", "--data", str(data), "--steps", "1", "--out", str(tmp_path / "r"), *_sets(TINY_CYCLEGAN)]
    assert run_cli(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_export_all_gives_one_onnx_per_direction(unpaired_dir, tmp_path):
    """``export --all`` writes FILE_AtoB.onnx / FILE_BtoA.onnx; each predicts like its torch generator."""
    pytest.importorskip("onnxruntime")
    run = _train(unpaired_dir, tmp_path / "run", 2, ["train.sample_every=0"])
    assert run_cli(["export", str(run), "--all", "--out", str(tmp_path / "cyc.onnx")]) == 0
    img = tmp_path / "in.png"
    Image.open(min((unpaired_dir / "testA").iterdir())).save(img)
    for direction in ("AtoB", "BtoA"):
        onnx_file = tmp_path / f"cyc_{direction}.onnx"
        assert onnx_file.is_file()
        assert run_cli(["predict", str(onnx_file), str(img), "--out", str(tmp_path / f"o_{direction}")]) == 0
        assert run_cli(["predict", str(run), str(img), "--direction", direction, "--out", str(tmp_path / f"t_{direction}")]) == 0
        a = np.asarray(Image.open(tmp_path / f"o_{direction}" / "in.png"), np.int16)
        b = np.asarray(Image.open(tmp_path / f"t_{direction}" / "in.png"), np.int16)
        assert np.abs(a - b).max() <= 1


def test_size_too_small_for_the_discriminator_is_one_line(unpaired_dir, tmp_path, capsys):
    """A 3-layer PatchGAN cannot take 16 px crops: a one-line error with the smallest size, no traceback."""
    sets = [*TINY_CYCLEGAN, "discriminator.n_layers=3", "data.load_size=16", "data.crop_size=16"]
    argv = ["train", "cyclegan", "--data", str(unpaired_dir), "--steps", "1", "--out", str(tmp_path / "r"), *_sets(sets)]
    assert run_cli(argv) == 2
    err = capsys.readouterr().err
    problems = [line for line in err.strip().splitlines() if not line.startswith("training from step")]
    assert len(problems) == 1 and "too small for D_A (patchgan)" in problems[0] and "--size 24 or more" in problems[0], err


def test_modern_recipe_levers_take_effect(unpaired_dir, tmp_path):
    """models/cyclegan/modern.yaml: resize-conv G_A/G_B, spectrally normalised D_A/D_B, LR warm-up, and the
    EMA generators are what the generator file (predict, export) holds."""
    from safetensors.torch import load_file
    from torch import nn

    from translate.core.spectral import spectral_normalised
    from translate.nets.layers import ResizeConv

    sets = [*TINY_CYCLEGAN, "train.sample_every=0", "schedule.kind=constant"]  # constant: the warm-up alone
    eng = engine_for(build_config(TrainArgs(task="cyclegan", recipe="modern", data=str(unpaired_dir), steps=2, seed=3,
                                            overrides=sets)), tmp_path / "run")
    for name in ("G_A", "G_B"):
        mods = list(eng.task.nets[name].modules())
        assert any(isinstance(m, ResizeConv) for m in mods) and not any(isinstance(m, nn.ConvTranspose2d) for m in mods)
    for name in ("D_A", "D_B"):
        d = eng.task.nets[name]
        assert len(spectral_normalised(d)) == sum(isinstance(m, nn.Conv2d) for m in d.modules()) == 4
    assert sorted(eng.ema) == ["G_A", "G_B"]
    eng.fit()
    assert eng.opt["G"].param_groups[0]["lr"] == pytest.approx(2e-4 * 3 / 100)  # (step + 1) / 100 after 2 steps
    saved = load_file(str(tmp_path / "run" / "checkpoints" / "step_00000002" / "generator.safetensors"))
    for name, e in eng.ema.items():
        assert all(torch.equal(saved[f"{name}.{k}"], v) for k, v in e.shadow.state_dict().items())


@pytest.mark.parametrize("direction", ["AtoB", "BtoA"])
def test_modern_recipe_trains_resumes_predicts_and_exports(direction, unpaired_dir, tmp_path):
    pytest.importorskip("onnxruntime")
    image = min((unpaired_dir / ("testA" if direction == "AtoB" else "testB")).iterdir())
    recipe_round_trip(run_cli, "cyclegan", "modern", unpaired_dir, tmp_path, [*TINY_CYCLEGAN, "train.sample_every=0"],
                      image, direction)
