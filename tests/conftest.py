"""Shared fixtures: tiny generated image folders, the real data in ../shared/data, fast configs."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path | None:
    """``../shared/data`` beside the checkout (or $TRANSLATE_SHARED_DATA), if present."""
    env = os.environ.get("TRANSLATE_SHARED_DATA")
    cand = Path(env) if env else REPO.parent / "shared" / "data"
    return cand if cand.is_dir() else None


@pytest.fixture
def shared_data() -> Path:
    d = shared_data_dir()
    if d is None:
        pytest.skip("../shared/data is not present")
    return d


def _pattern(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A smooth random colour image (uint8 [H, W, 3])."""
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
    f = rng.uniform(1, 4, size=(3, 2))
    ph = rng.uniform(0, 6.28, size=3)
    chans = [np.sin(f[c, 0] * 6.28 * xx + f[c, 1] * 6.28 * yy + ph[c]) for c in range(3)]
    return ((np.stack(chans, -1) + 1) * 127.5).astype(np.uint8)


def make_aligned(root: Path, n: int = 4, size: int = 32, split: str = "train") -> Path:
    """``root/<split>/i.png``: A|B pairs where B is a colour-inverted A (a learnable mapping)."""
    rng = np.random.default_rng(0 if split == "train" else 1)
    d = root / split
    d.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        a = _pattern(rng, size, size)
        Image.fromarray(np.concatenate([a, 255 - a], axis=1)).save(d / f"{i}.png")
    return root


def make_folder(root: Path, n: int = 4, size: int = 32, seed: int = 0, ext: str = "png") -> Path:
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        Image.fromarray(_pattern(rng, size, size)).save(root / f"img{i}.{ext}")
    return root


@pytest.fixture
def aligned_dir(tmp_path: Path) -> Path:
    root = tmp_path / "pairs"
    make_aligned(root, 4, 32, "train")
    make_aligned(root, 2, 32, "val")
    return root


# A pix2pix small enough for CPU tests: 5-down U-Net (32 px), 2-layer PatchGAN, 8 base channels.
TINY_PIX2PIX = [
    "generator.arch=unet", "generator.num_downs=5", "generator.ngf=8",
    "discriminator.ndf=8", "discriminator.n_layers=2",
    "data.load_size=36", "data.crop_size=32", "data.num_workers=0",
    "train.tensorboard=false", "train.progress=false", "train.log_every=1", "train.latest_every=1",
    "train.sample_every=3", "train.num_samples=2",
]


# ----------------------------------------------------------------------------- processes (Linux: reads /proc)


def group_members(pgid: int) -> list[int]:
    """PIDs of live (not zombie) processes in process group ``pgid``."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            out.append(int(stat.parent.name))
    return out


def wait_gone(pgid: int, seconds: float) -> list[int]:
    deadline = time.time() + seconds
    while time.time() < deadline and group_members(pgid):
        time.sleep(0.05)
    return group_members(pgid)


def run_cli(argv: list[str]) -> int:
    """Run the ``translate`` CLI in-process; returns its exit code."""
    from translate.cli import main

    try:
        main(argv)
    except SystemExit as e:
        return int(e.code or 0)
    return 0


# ----------------------------------------------------------------------------- small models (session-wide)


def tiny_resnet(seed: int):
    """A registry-built 6-block ResNet with 8 base channels (CycleGAN's structure, small)."""
    import torch

    from translate.config import NetConfig
    from translate.registry import GENERATORS
    from translate.tasks.base import build_net

    torch.manual_seed(seed)
    return build_net(GENERATORS, NetConfig(arch="resnet_6blocks", options={"ngf": 8})).eval()


@pytest.fixture(scope="session")
def p2p_run(tmp_path_factory) -> Path:
    """A pix2pix run folder trained for 2 steps on 32 px pairs (5-down U-Net, 8 channels)."""
    from translate.tasks.launch import TrainArgs, train

    root = tmp_path_factory.mktemp("p2p")
    make_aligned(root / "pairs", 4, 32, "train")
    make_aligned(root / "pairs", 3, 32, "val")
    return train(TrainArgs(task="pix2pix", data=str(root / "pairs"), steps=2, seed=3, overrides=TINY_PIX2PIX), out=str(root / "run"))


@pytest.fixture(scope="session")
def p2p_onnx(p2p_run: Path, tmp_path_factory) -> Path:
    """``p2p_run`` exported to ONNX (fp32, dynamic shapes)."""
    from translate.export.exporter import export_model

    out = tmp_path_factory.mktemp("p2p_onnx") / "p2p.onnx"
    export_model(p2p_run, out, log=lambda s: None)
    return out


@pytest.fixture(scope="session")
def cyclegan_file(tmp_path_factory) -> Path:
    """A generator file like a CycleGAN run's: G_A (AtoB) and G_B (BtoA), two tiny ResNets."""
    from translate import checkpoint as ckpt

    path = tmp_path_factory.mktemp("cyc") / "generator.safetensors"
    meta = {"G_A": {"direction": "AtoB"}, "G_B": {"direction": "BtoA"}}
    return ckpt.save_generators(path, {"G_A": tiny_resnet(1), "G_B": tiny_resnet(2)}, task="cyclegan", config=None, net_meta=meta)


def with_variants(registry, names: list[str]) -> list[tuple[str, str]]:
    """(name, "") for each registered name, plus (name, v) for each of its ``meta["variants"]`` option sets."""
    return [(n, v) for n in names for v in ("", *registry.entry(n).meta.get("variants", {}))]


def variant_options(registry, name: str, variant: str) -> dict:
    """The options a registry variant adds (``{}`` for the plain entry), e.g. stylegan's ``{"style": "adain"}``."""
    return dict(registry.entry(name).meta.get("variants", {})[variant]) if variant else {}
