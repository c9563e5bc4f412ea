"""The Task interface's phases: defaults from order / n_critic / penalty_every, and the generic lazy D regulariser."""

from __future__ import annotations

import pytest
import torch

from tests.conftest import TINY_PIX2PIX
from tests.tasks.test_cyclegan import TINY_CYCLEGAN
from tests.tasks.test_dcgan import TINY_DCGAN
from tests.tasks.test_progan import TINY_PROGAN
from tests.tasks.test_stargan import SIZE, TINY_STARGAN
from tests.tasks.test_stylegan import TINY_STYLEGAN
from translate.registry import TASKS
from translate.tasks.launch import TrainArgs, build_config

# task, overrides, image size, penalty logs expected from the lazy regulariser (one per D)
CASES = {
    "pix2pix": ("pix2pix", [*TINY_PIX2PIX, "gan.pool_size=4"], 32, ["D_r1"]),  # conditional D on concat(A, B)
    "cyclegan": ("cyclegan", [*TINY_CYCLEGAN, "gan.pool_size=4"], 32, ["D_r1_A", "D_r1_B"]),  # D_A and D_B, two pools
    "stargan": ("stargan", TINY_STARGAN, SIZE, ["D_r1"]),  # D returns (src, cls)
    "dcgan_conditional": ("dcgan", [*TINY_DCGAN, "options.conditional=true", "options.num_classes=3"], 16, ["D_r1"]),
    "stylegan": ("stylegan", TINY_STYLEGAN, 16, ["D_r1"]),
    "progan": ("progan", TINY_PROGAN, 16, ["D_r1"]),  # growing nets at their last level
}


def _task(task: str, overrides: list[str]):
    cfg = build_config(TrainArgs(task=task, overrides=list(overrides)))
    return TASKS.build(task, cfg, "cpu")


def _batch(task, size: int) -> dict:
    torch.manual_seed(0)
    return torch.utils.data.default_collate([task.synthetic_item(size) for _ in range(2)])


def _names(task: str, tiny: list[str], *extra: str) -> list[str]:
    return [p.name for p in _task(task, [*tiny, *extra]).phases()]


def test_default_phases_follow_order_n_critic_and_penalty_every():
    assert _names("pix2pix", TINY_PIX2PIX) == ["Dmain", "Gmain"]
    assert _names("pix2pix", TINY_PIX2PIX, "gan.loss=wgan-gp") == ["Dmain", "Gmain"]  # penalty_every 1: GP in Dmain ("Dboth")
    assert _names("pix2pix", TINY_PIX2PIX, "gan.penalty=r1", "gan.penalty_every=4") == ["Dmain", "Dreg", "Gmain"]
    assert _names("pix2pix", TINY_PIX2PIX, "gan.penalty_every=4") == ["Dmain", "Gmain"]  # no penalty: nothing lazy
    assert _names("pix2pix", TINY_PIX2PIX, "options.lambda_gan=0") == ["Gmain"]  # L1 only: D never updated
    assert _names("cyclegan", TINY_CYCLEGAN, "gan.penalty=gp", "gan.penalty_every=2") == ["Gmain", "Dmain", "Dreg"]  # G first
    p = _task("pix2pix", [*TINY_PIX2PIX, "train.n_critic=3", "gan.penalty=r1", "gan.penalty_every=4"]).phases()
    assert [(x.interval, x.start, x.lazy, x.needs_graph) for x in p] == [(1, 0, False, False), (4, 0, True, False), (3, 2, False, True)]


@pytest.mark.parametrize("case", CASES)
def test_lazy_penalty_is_a_separate_regulariser_of_every_discriminator(case):
    name, tiny, size, keys = CASES[case]
    task = _task(name, [*tiny, "gan.penalty=r1", "gan.penalty_every=2"])
    assert [p.name for p in task.phases()][:2] in (["Dmain", "Dreg"], ["Gmain", "Dmain"])
    batch = _batch(task, size)
    out = task.forward(batch, need_grad=False)
    _, d_logs = task.d_loss(batch, out, 0)
    assert not any(k.startswith("D_r1") for k in d_logs)  # Dmain leaves the lazy penalty out
    pools = [p for p in (getattr(task, a, None) for a in ("pool", "pool_a", "pool_b")) if p is not None]
    held = [len(p.images) for p in pools]  # pools of 4, half filled by this batch of 2
    reg, logs = task.d_reg_loss(batch, out, 0)
    assert [len(p.images) for p in pools] == held  # the pooled fakes of Dmain, not a second query
    assert reg.dim() == 0 and torch.isfinite(reg) and sorted(k for k in logs if k.startswith("D_r1")) == keys
    reg.backward()
    assert all(any(p.grad is not None for p in d.parameters()) for d in task.discriminators().values())
