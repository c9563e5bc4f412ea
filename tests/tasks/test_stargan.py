"""StarGAN end to end on tiny folders (domain folders and an attribute table): train, exact
resume, predict --domain / --attrs / --domain all, reference-checkpoint import, info, errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from tests.conftest import run_cli
from tests.tasks.resume import assert_resumed_like, assert_same_losses, metrics
from translate.tasks.launch import TrainArgs, build_config, train

SIZE = 16
TINY_STARGAN = [
    "generator.conv_dim=8", "generator.repeat_num=1", "discriminator.conv_dim=8", "discriminator.repeat_num=2",
    f"data.load_size={SIZE}", f"data.crop_size={SIZE}", "data.center_crop=0", "data.num_workers=0",
    "train.batch_size=4", "train.n_critic=2", "train.tensorboard=false", "train.progress=false",
    "train.log_every=1", "train.latest_every=1", "train.sample_every=3", "train.num_samples=2",
]
COLOURS = [(220, 40, 40), (40, 200, 40), (40, 40, 220)]
ATTRS = ["Black_Hair", "Blond_Hair", "Male"]


def _image(rng: np.random.Generator, colour: tuple[int, int, int], size: int = SIZE) -> Image.Image:
    noise = rng.integers(-30, 30, (size, size, 3))
    return Image.fromarray(np.clip(np.array(colour)[None, None] + noise, 0, 255).astype(np.uint8))


def make_domains(root: Path, n: int = 4, splits=("train", "test")) -> Path:
    """``root/<split>/{red,green,blue}/i.png``: one colour per domain."""
    rng = np.random.default_rng(0)
    for split in splits:
        for name, colour in zip(("red", "green", "blue"), COLOURS):
            d = root / split / name
            d.mkdir(parents=True, exist_ok=True)
            for i in range(n):
                _image(rng, colour).save(d / f"{i}.png")
    return root


def make_attributes(root: Path, n: int = 12) -> Path:
    """A CelebA-style table over ``root/images`` with a hair-colour group and Male."""
    rng = np.random.default_rng(1)
    (root / "images").mkdir(parents=True)
    lines = [str(n), " ".join(ATTRS)]
    for i in range(n):
        hair = i % 2
        _image(rng, COLOURS[hair]).save(root / "images" / f"{i:06d}.jpg")
        vals = ["1" if hair == 0 else "-1", "1" if hair == 1 else "-1", "1" if i % 3 == 0 else "-1"]
        lines.append(f"{i:06d}.jpg " + " ".join(vals))
    (root / "list_attr_celeba.txt").write_text("\n".join(lines) + "\n")
    return root


@pytest.fixture
def domains_dir(tmp_path: Path) -> Path:
    return make_domains(tmp_path / "domains")


@pytest.fixture
def attrs_dir(tmp_path: Path) -> Path:
    return make_attributes(tmp_path / "celeb")


def _train(data: Path, out: Path, steps: int, extra=(), recipe: str = "rafd", resume: bool = False) -> Path:
    args = TrainArgs(task="stargan", data=str(data), recipe=None if resume else recipe, steps=steps, seed=3,
                     overrides=[*TINY_STARGAN, *extra])
    return train(args, out=None if resume else str(out), resume=str(out) if resume else None)


def _metrics(run: Path) -> dict[int, dict]:
    return metrics(run, "loss_D")  # every step updates D; G only every n_critic steps


def _sets(opts) -> list[str]:
    return [a for o in opts for a in ("--set", o)]


def test_resume_equals_uninterrupted(domains_dir, tmp_path):
    const = ["schedule.kind=constant"]
    full = _train(domains_dir, tmp_path / "full", 6, const)
    part = _train(domains_dir, tmp_path / "part", 3, const)
    _train(domains_dir, part, 6, const, resume=True)
    a, b, _ = assert_resumed_like(full, part, ("loss_D", "D_cls", "D_gp", "D_real", "D_fake"), key="loss_D")
    assert_same_losses(a, b, ("loss_G", "G_GAN", "G_cls", "G_rec"), (4, 6))  # G updates every n_critic = 2 steps
    grid = Image.open(full / "samples" / "step_00000006.png")
    assert grid.width >= 4 * SIZE  # input + one column per domain (3)


def test_domains_predict_one_domain_and_all(domains_dir, tmp_path, capsys):
    run = _train(domains_dir, tmp_path / "run", 2)
    from translate.checkpoint import resolve_generator_file
    from translate.nets.loading import load_generators

    gf = load_generators(resolve_generator_file(run))
    meta = gf.info["G"]
    assert meta["domains"] == ["blue", "green", "red"] and meta["label_mode"] == "single" and meta["c_dim"] == 3
    inp = tmp_path / "in"
    inp.mkdir()
    _image(np.random.default_rng(5), COLOURS[0], 20).resize((22, 18)).save(inp / "odd.png")
    assert run_cli(["predict", str(run), str(inp), "--out", str(tmp_path / "o1"), "--domain", "green"]) == 0
    assert Image.open(tmp_path / "o1" / "odd.png").size == (22, 18)
    assert run_cli(["predict", str(run), str(inp), "--out", str(tmp_path / "o2"), "--domain", "all"]) == 0
    assert Image.open(tmp_path / "o2" / "odd.png").size == (22 * 4, 18)  # input + 3 domains
    capsys.readouterr()
    assert run_cli(["predict", str(run), str(inp), "--out", str(tmp_path / "o3")]) == 2
    err = capsys.readouterr().err
    assert "--domain" in err and "blue, green, red" in err and len(err.strip().splitlines()) == 1
    assert run_cli(["predict", str(run), str(inp), "--out", str(tmp_path / "o4"), "--domain", "purple"]) == 2
    assert "purple" in capsys.readouterr().err
    assert run_cli(["predict", str(run), str(inp), "--out", str(tmp_path / "o5"), "--attrs", "red=1"]) == 2
    assert "single-label" in capsys.readouterr().err


def test_attributes_train_predict_attrs_and_all(attrs_dir, tmp_path, capsys):
    run = _train(attrs_dir, tmp_path / "run", 3, [f"data.domains={','.join(ATTRS)}"], recipe="default")
    rows = _metrics(run)
    assert {"D_cls", "G_cls", "G_rec", "D_gp"} <= set(rows[2])
    from translate.checkpoint import resolve_generator_file
    from translate.nets.loading import load_generators

    meta = load_generators(resolve_generator_file(run)).info["G"]
    assert meta["label_mode"] == "multi" and meta["groups"] == [["Black_Hair", "Blond_Hair"]]
    img = tmp_path / "face.png"
    _image(np.random.default_rng(2), COLOURS[0], 24).save(img)
    assert run_cli(["predict", str(run), str(img), "--out", str(tmp_path / "o1"), "--attrs", "Blond_Hair=1,Male=0"]) == 0
    assert Image.open(tmp_path / "o1" / "face.png").size == (24, 24)
    assert run_cli(["predict", str(run), str(img), "--out", str(tmp_path / "o2"), "--domain", "all",
                    "--attrs", "Black_Hair=1"]) == 0
    assert Image.open(tmp_path / "o2" / "face.png").size == (24 * 4, 24)
    capsys.readouterr()
    assert run_cli(["predict", str(run), str(img), "--out", str(tmp_path / "o3"), "--attrs", "Bald=1"]) == 2
    err = capsys.readouterr().err
    assert "Bald" in err and "Black_Hair, Blond_Hair, Male" in err and len(err.strip().splitlines()) == 1


def test_all_targets_follow_the_reference_rule():
    from translate.runtime.conditioning import all_targets, condition
    from translate.runtime.modelinfo import ModelInfo

    info = ModelInfo("m", "stargan", "G", "stargan", "image+domain", 4, domains=ATTRS,
                     extra={"label_mode": "multi", "groups": [["Black_Hair", "Blond_Hair"]]})
    cols = dict(all_targets(info, 3, "Blond_Hair=1,Male=1"))
    assert cols["Black_Hair"].tolist() == [1, 0, 1]  # hair colours are one-hot within their group
    assert cols["Blond_Hair"].tolist() == [0, 1, 1]
    assert cols["Male"].tolist() == [0, 1, 0]  # other attributes flip
    assert condition(info, 3, "Blond_Hair,Male", None).tolist() == [0, 1, 1]


def test_label_rules_and_losses():
    from translate.tasks.stargan import cls_loss, d_repeat_for
    from translate.tasks.stargan_labels import flip_one, sample_targets

    c = torch.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 0.0]])
    assert flip_one(c, 1, [[0, 1]]).tolist() == [[0, 1, 1], [0, 1, 0]]
    assert flip_one(c, 2, [[0, 1]]).tolist() == [[1, 0, 0], [0, 0, 1]]
    single = sample_targets(torch.eye(3)[:2], [], "single")
    assert [t.argmax(1).tolist() for t in single] == [[0, 0], [1, 1], [2, 2]]
    logits = torch.tensor([[5.0, -5.0, 0.0]])
    assert float(cls_loss(logits, torch.tensor([[1.0, 0.0, 0.0]]), "single")) < 0.01
    bce = torch.nn.functional.binary_cross_entropy_with_logits(logits, torch.tensor([[1.0, 0.0, 1.0]]), reduction="sum")
    assert torch.isclose(cls_loss(logits, torch.tensor([[1.0, 0.0, 1.0]]), "multi"), bce)  # sum over attributes / N
    assert d_repeat_for(128, 6) == 6 and d_repeat_for(32, 6) == 4 and d_repeat_for(16, 2) == 2


def test_info_paper_counts_and_size(capsys):
    assert run_cli(["info", "stargan", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["generator"]["params"] == 8_430_528 and d["discriminator"]["params"] == 44_762_048
    assert d["generator"]["c_dim"] == 5 and d["size"] == 128
    assert d["gan"]["loss"] == "wgan-gp" and d["gan"]["penalty"] == "gp" and d["train"]["n_critic"] == 5
    assert run_cli(["info", "stargan", "--json", "--size", "32"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["discriminator"]["options"]["repeat_num"] == 4 and d["discriminator"]["options"]["image_size"] == 32


def test_synthetic_batch_runs_all_losses():
    from translate.registry import TASKS

    cfg = build_config(TrainArgs(task="stargan", overrides=TINY_STARGAN))
    task = TASKS.build("stargan", cfg, "cpu")
    batch = torch.utils.data.default_collate([task.synthetic_item(SIZE) for _ in range(3)])
    out = task.forward(batch, need_grad=True)
    (d, _), (g, logs) = task.d_loss(batch, out, 0), task.g_loss(batch, out, 0)
    assert torch.isfinite(d) and torch.isfinite(g) and {"G_cls", "G_rec", "G_GAN"} <= set(logs)


def _reference_keys(repeat: int) -> list[str]:
    """Key names of yunjey/stargan's Generator state dict (model.py), written out by hand."""
    norm = ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")
    keys = ["main.0.weight", *[f"main.1.{n}" for n in norm]]
    i = 3
    for _ in range(2):  # down-sampling: conv, IN, ReLU
        keys += [f"main.{i}.weight", *[f"main.{i + 1}.{n}" for n in norm]]
        i += 3
    for _ in range(repeat):  # ResidualBlock.main: conv, IN, ReLU, conv, IN
        keys += [f"main.{i}.main.0.weight", *[f"main.{i}.main.1.{n}" for n in norm],
                 f"main.{i}.main.3.weight", *[f"main.{i}.main.4.{n}" for n in norm]]
        i += 1
    for _ in range(2):  # up-sampling: conv-transpose, IN, ReLU
        keys += [f"main.{i}.weight", *[f"main.{i + 1}.{n}" for n in norm]]
        i += 3
    return keys + [f"main.{i}.weight"]


def test_reference_ckpt_imports_and_predicts(tmp_path, capsys):
    from translate.nets.stargan import StarGenerator

    net = StarGenerator(conv_dim=8, c_dim=5, repeat_num=2)
    ours = net.state_dict()
    assert list(ours) == _reference_keys(2)
    sd = {k: (torch.randn_like(v) if v.is_floating_point() else v) for k, v in ours.items()}
    sd = {k: (v.abs() + 0.5 if "running_var" in k else v) for k, v in sd.items()}
    ckpt = tmp_path / "200000-G.ckpt"
    torch.save(sd, ckpt)
    img = tmp_path / "x.png"
    _image(np.random.default_rng(3), COLOURS[1], 20).save(img)
    argv = ["predict", str(ckpt), str(img), "--out", str(tmp_path / "o"), "--arch", "stargan",
            "--arch-opt", "c_dim=5", "--arch-opt", "conv_dim=8", "--arch-opt", "repeat_num=2"]
    assert run_cli([*argv, "--domain", "1,3"]) == 0
    assert Image.open(tmp_path / "o" / "x.png").size == (20, 20)
    assert run_cli([*argv, "--domain", "all"]) == 2  # x.png is there: not replaced without --overwrite
    assert run_cli([*argv, "--domain", "all", "--overwrite"]) == 0
    assert Image.open(tmp_path / "o" / "x.png").size == (20 * 6, 20)
    capsys.readouterr()
    wrong = [a if a != "c_dim=5" else "c_dim=4" for a in argv]  # does not fit the file
    assert run_cli([*wrong, "--domain", "1"]) == 2
    assert "200000-G.ckpt" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["train", "stargan", "--data", "/nonexistent/dir", "--steps", "1"], "/nonexistent/dir"),
    (["train", "stargan", "--data", ".", "--steps", "1", "--set", "options.label_mode=weird"], "options.label_mode"),
])
def test_cli_bad_usage_exits_2(argv, message, capsys):
    assert run_cli(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_wrong_layout_is_named(tmp_path, capsys):
    from tests.conftest import make_aligned

    root = make_aligned(tmp_path / "pairs", 2, SIZE)
    assert run_cli(["train", "stargan", "--data", str(root), "--recipe", "rafd", "--set", "data.layout=auto", "--steps", "1"]) == 2
    err = capsys.readouterr().err
    assert str(root) in err and "stargan reads the layouts domains (" in err and "this folder looks like aligned (" in err


def test_bench_train_with_gradient_penalty():
    """Benchmarks run on synthetic labelled items; GP's double backward leaves FLOPs uncounted (None)."""
    from translate.evaluation.bench import bench_train

    r = bench_train("stargan", SIZE, 2, steps=1, warmup=0, device="cpu", overrides=TINY_STARGAN)
    assert r["it_per_s"] > 0 and r["gflop_per_step"] is None and set(r["params"]) == {"G", "D"}
