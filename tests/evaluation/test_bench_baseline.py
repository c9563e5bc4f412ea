"""The eager reference-style baseline trains like the engine (fp32, same seed/weights/batch).

First step: every loss term bit-identical (the G total within 1e-6: the same terms summed in another
order). Later steps: within rel 1e-5, since CycleGAN's autograd accumulates the gradient
contributions of the cycle, identity and GAN terms into G's weights in graph order, which differs
by an ulp between the two loops (pix2pix stays bit-identical).
"""

from __future__ import annotations

import pytest
import torch

from translate.errors import ConfigError
from translate.evaluation.bench_baseline import GANLoss, eager_trainer
from translate.evaluation.bench_compare import build_pair, synthetic_batches


@pytest.mark.parametrize("task", ["pix2pix", "cyclegan"])
def test_first_steps_losses_identical(task, tmp_path):
    torch.manual_seed(0)
    eng, base = build_pair(task, 32, 1, tmp=str(tmp_path))
    batches = synthetic_batches(eng.task, 32, 1, 2)
    for i, batch in enumerate(batches):
        torch.manual_seed(100 + i)  # dropout (pix2pix) draws the same masks on both paths
        eng._train_step(batch)
        eng.step += 1
        ours = {k: v[-1] for k, v in eng._acc.items()}
        torch.manual_seed(100 + i)
        theirs = base.step(batch)
        shared = sorted(set(ours) & set(theirs))
        assert {"loss_G", "G_GAN" if task == "pix2pix" else "G_A_GAN"} <= set(shared)
        for k in shared:
            tol = (1e-6 if k == "loss_G" else 0.0) if i == 0 or task == "pix2pix" else 1e-5
            assert ours[k] == pytest.approx(theirs[k], rel=tol, abs=0), (i, k, ours[k], theirs[k])
    if task != "pix2pix":  # Adam turns the ulp-level gradient differences into lr-sized steps on near-zero grads
        return
    for name, net in eng.task.nets.items():
        copy = getattr(base, {"G": "net_g", "D": "net_d", "G_A": "g_a", "G_B": "g_b", "D_A": "d_a", "D_B": "d_b"}[name])
        for (_, p), (_, q) in zip(net.named_parameters(), copy.named_parameters()):
            assert torch.equal(p, q), name


def test_baseline_refuses_what_the_reference_lacks(tmp_path):
    with pytest.raises(ConfigError, match="gan.spectral_norm"):
        build_pair("pix2pix", 32, 1, ["gan.spectral_norm=true"], tmp=str(tmp_path))
    with pytest.raises(ConfigError, match="not a reference mode"):
        GANLoss("hinge")
    with pytest.raises(ConfigError, match="pix2pix and cyclegan only"):
        eager_trainer("stargan", {}, None)
