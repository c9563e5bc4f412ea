"""Fixtures for the ONNX tests: a tiny trained pix2pix run, its export, a CycleGAN-like two-generator file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import TINY_PIX2PIX, make_aligned


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
    from translate.launch import TrainArgs, train

    root = tmp_path_factory.mktemp("p2p")
    make_aligned(root / "pairs", 4, 32, "train")
    make_aligned(root / "pairs", 3, 32, "val")
    return train(TrainArgs(task="pix2pix", data=str(root / "pairs"), steps=2, seed=3, overrides=TINY_PIX2PIX), out=str(root / "run"))


@pytest.fixture(scope="session")
def p2p_onnx(p2p_run: Path, tmp_path_factory) -> Path:
    """``p2p_run`` exported to ONNX (fp32, dynamic shapes)."""
    from translate.onnx import export_model

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
