"""Closed-form values of every objective in translate/core/losses.py on hand-computed logits."""

import math

import pytest
import torch
import torch.nn.functional as F

import translate.core  # noqa: F401  (registration)
from translate.config import GanConfig
from translate.core.adversary import resolve_gan_config
from translate.core.losses import GanLoss, objective_names
from translate.errors import ConfigError
from translate.registry import LOSSES

LOG2 = math.log(2.0)
T = torch.tensor


def unique_losses() -> list[str]:
    """One name per objective (aliases dropped)."""
    names = objective_names()
    assert len(names) == len({id(LOSSES.get(n)) for n in LOSSES.names()})
    return names


def test_registry_holds_every_objective():
    expected = {"minimax", "nonsaturating", "lsgan", "wgan", "wgan-gp", "hinge", "ragan", "ralsgan", "rpgan",
                "fgan-kl", "fgan-reverse-kl", "fgan-pearson", "fgan-hellinger", "fgan-js", "fgan-gan"}
    assert expected == set(unique_losses())
    assert LOSSES.get("vanilla") is LOSSES.get("nonsaturating")
    assert LOSSES.get("saturating") is LOSSES.get("minimax")


@pytest.mark.parametrize("name", unique_losses())
def test_every_objective_is_a_finite_differentiable_scalar(name):
    loss: GanLoss = LOSSES.get(name)
    real, fake = torch.randn(4, 1, 3, 3, requires_grad=True), torch.randn(4, 1, 3, 3, requires_grad=True)
    d = loss.d(real, fake)
    g = loss.g(fake, real if loss.needs_real_for_g else None)
    assert d.dim() == 0 and g.dim() == 0 and torch.isfinite(d) and torch.isfinite(g)
    (gf,) = torch.autograd.grad(g, fake, retain_graph=True)
    (dr, df) = torch.autograd.grad(d, (real, fake))
    for grad in (gf, dr, df):
        assert torch.isfinite(grad).all() and grad.abs().sum() > 0
    assert loss.formula.startswith(("L_D", "min_G"))


def test_minimax_and_nonsaturating_at_the_equilibrium():
    # p_g = p_data and D* = 1/2 everywhere: logits 0
    zero = torch.zeros(8)
    for name in ("minimax", "nonsaturating"):
        assert LOSSES.get(name).d(zero, zero).item() == pytest.approx(2 * LOG2)
    # the minimax game value V(D*, G*) = E log D + E log(1 - D) = -log 4 = -L_D
    assert -LOSSES.get("minimax").d(zero, zero).item() == pytest.approx(-math.log(4))
    assert LOSSES.get("minimax").g(zero).item() == pytest.approx(-LOG2)  # E log(1 - 1/2)
    assert LOSSES.get("nonsaturating").g(zero).item() == pytest.approx(LOG2)  # -E log(1/2)


def test_minimax_g_saturates_where_nonsaturating_does_not():
    # D confidently rejects the fakes (logit -8): the saturating loss has almost no gradient
    fake = torch.full((4,), -8.0, requires_grad=True)
    LOSSES.get("minimax").g(fake).backward()
    sat = fake.grad.abs().mean().item()
    fake.grad = None
    LOSSES.get("nonsaturating").g(fake).backward()
    assert sat < 1e-3 < fake.grad.abs().mean().item()


def test_bce_objectives_with_smoothing_match_softplus_formula():
    real, fake = T([1.5, -0.5]), T([0.3, -2.0])
    for t in (1.0, 0.9):
        want = (F.softplus(real) - t * real).mean() + F.softplus(fake).mean()
        assert LOSSES.get("nonsaturating").d(real, fake, real_target=t).item() == pytest.approx(want.item())


def test_lsgan_targets():
    loss = LOSSES.get("lsgan")
    assert loss.d(T([1.0, 0.0]), T([0.0, 1.0])).item() == pytest.approx(0.5 + 0.5)
    assert loss.d(T([1.0]), T([0.0])).item() == 0.0
    assert loss.d(T([0.9]), T([0.0]), real_target=0.9).item() == pytest.approx(0.0)
    assert loss.g(T([0.0, 1.0])).item() == pytest.approx(0.5)


def test_wgan_signs():
    real, fake = T([2.0, 4.0]), T([-1.0, 0.0])
    for name in ("wgan", "wgan-gp"):
        loss = LOSSES.get(name)
        assert loss.d(real, fake).item() == pytest.approx(-0.5 - 3.0)  # E D(fake) - E D(real)
        assert loss.g(fake).item() == pytest.approx(0.5)  # -E D(fake)
        assert loss.critic
    assert LOSSES.get("wgan").implies == {"clip": 0.01} and LOSSES.get("wgan-gp").implies == {"penalty": "gp"}


def test_hinge_margins():
    loss = LOSSES.get("hinge")
    real, fake = T([2.0, 0.5, -1.0]), T([-2.0, 0.0, 1.0])
    assert loss.d(real, fake).item() == pytest.approx((0 + 0.5 + 2) / 3 + (0 + 1 + 2) / 3)
    assert loss.d(T([1.0, 3.0]), T([-1.0, -5.0])).item() == 0.0  # outside the margins: no loss
    assert loss.g(fake).item() == pytest.approx(1 / 3)


def test_ragan_relative_to_the_other_mean():
    loss = LOSSES.get("ragan")
    same = torch.full((4,), 0.7)
    assert loss.d(same, same).item() == pytest.approx(2 * LOG2)
    assert loss.g(same, same).item() == pytest.approx(2 * LOG2)
    real, fake = T([5.0, 7.0]), T([-4.0, -6.0])  # D sure: reals 11 above the fake mean
    assert loss.d(real, fake).item() < 1e-3 and loss.g(fake, real).item() > 20
    # only differences matter: shifting every logit changes nothing
    assert loss.d(real + 3, fake + 3).item() == pytest.approx(loss.d(real, fake).item())
    with pytest.raises(ValueError):
        loss.g(fake)
    assert loss.needs_real_for_g and LOSSES.get("ralsgan").needs_real_for_g


def test_rpgan_pairs_each_real_with_one_fake():
    loss = LOSSES.get("rpgan")
    sp = lambda v: math.log1p(math.exp(v))  # noqa: E731  softplus
    real, fake = T([2.0, -1.0, 0.5]), T([0.0, 1.0, 0.5])  # pairwise differences 2, -2, 0
    assert loss.d(real, fake).item() == pytest.approx((sp(-2.0) + sp(2.0) + sp(0.0)) / 3)
    assert loss.g(fake, real).item() == pytest.approx((sp(2.0) + sp(-2.0) + sp(0.0)) / 3)
    # pairing, not averaging: the same logits in another order change the loss (RaGAN's would not)
    swapped = T([-1.0, 2.0, 0.5])
    assert loss.d(swapped, fake).item() == pytest.approx((sp(1.0) + sp(-1.0) + sp(0.0)) / 3)
    assert LOSSES.get("ragan").d(swapped, fake).item() == pytest.approx(LOSSES.get("ragan").d(real, fake).item())
    # equal logits: log 2 on both sides; a shift of every logit changes nothing
    assert loss.d(fake, fake).item() == pytest.approx(LOG2) and loss.g(fake, fake).item() == pytest.approx(LOG2)
    assert loss.d(real + 4, fake + 4).item() == pytest.approx(loss.d(real, fake).item())
    # PatchGAN maps pair element by element
    maps = torch.randn(2, 1, 3, 3), torch.randn(2, 1, 3, 3)
    assert loss.d(*maps).item() == pytest.approx(F.softplus(maps[1] - maps[0]).mean().item())
    with pytest.raises(ValueError, match="pairs"):
        loss.d(T([1.0, 2.0]), T([1.0]))
    with pytest.raises(ValueError):
        loss.g(fake)
    assert loss.needs_real_for_g and not loss.smoothing and LOSSES.get("relativistic-pairing") is loss


def test_ralsgan_targets():
    loss = LOSSES.get("ralsgan")
    assert loss.d(T([0.5]), T([-0.5])).item() == pytest.approx(0.0)  # reals exactly 1 above fakes
    assert loss.g(T([-0.5]), T([0.5])).item() == pytest.approx(4.0 + 4.0)
    same = T([0.2, 0.2])
    assert loss.d(same, same).item() == pytest.approx(2.0)


@pytest.mark.parametrize("name", unique_losses())
def test_label_smoothing_supported_or_refused(name):
    cfg = GanConfig(loss=name, label_smoothing=0.1)
    if LOSSES.get(name).smoothing:
        assert resolve_gan_config(cfg).label_smoothing == 0.1
    else:
        with pytest.raises(ConfigError, match="label_smoothing"):
            resolve_gan_config(cfg)


def test_smoothing_flags():
    smooth = {n for n in unique_losses() if LOSSES.get(n).smoothing}
    assert smooth == {"minimax", "nonsaturating", "lsgan", "ragan", "ralsgan"}
