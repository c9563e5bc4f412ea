"""The f-GAN family: activations land in the conjugates' domains, optima match the theory."""

import math

import pytest
import torch

from translate.core.fgan import DIVERGENCES, fgan_bound
from translate.registry import LOSSES

NAMES = sorted(DIVERGENCES)
# f'(1) is the optimal g_f(V) when P = Q; the logit reaching it:
V_STAR = {"kl": 1.0, "reverse-kl": 0.0, "pearson": 0.0, "hellinger": 0.0, "js": 0.0, "gan": 0.0}


def test_all_six_registered():
    assert {f"fgan-{n}" for n in NAMES} == {"fgan-kl", "fgan-reverse-kl", "fgan-pearson", "fgan-hellinger", "fgan-js", "fgan-gan"}
    assert all(LOSSES.get(f"fgan-{n}").estimate == "Df_estimate" for n in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_activation_maps_into_the_conjugate_domain(name):
    div = DIVERGENCES[name]
    v = torch.linspace(-6, 6, 2001, dtype=torch.float64)
    t = div.activation(v)
    assert div.in_domain(t).all()
    plain = div.conjugate(t)
    assert torch.isfinite(plain).all()
    # the stable composite equals the plain composition f*(g_f(v))
    assert torch.allclose(div.conj_act(v), plain, rtol=1e-9, atol=1e-9)
    # and stays finite where the plain composition overflows
    big = torch.tensor([-80.0, 80.0], dtype=torch.float64)
    assert torch.isfinite(div.activation(big)).all()


@pytest.mark.parametrize("name", NAMES)
def test_optimum_for_identical_distributions(name):
    # same logit v on real and fake: max_v g(v) - f*(g(v)) = f**(1) = f(1) (0; -log 4 for "gan")
    div = DIVERGENCES[name]
    v = torch.linspace(-5, 5, 10001, dtype=torch.float64)
    d_loss = -(div.activation(v) - div.conj_act(v))
    i = int(d_loss.argmin())
    assert -d_loss[i].item() == pytest.approx(div.f_at_1, abs=1e-6)
    assert v[i].item() == pytest.approx(V_STAR[name], abs=2e-3)
    loss = LOSSES.get(f"fgan-{name}")
    same = torch.full((16,), V_STAR[name], dtype=torch.float64)
    assert loss.d(same, same).item() == pytest.approx(-div.f_at_1, abs=1e-12)
    assert div.f_at_1 == (-math.log(4) if name == "gan" else 0.0)


def test_kl_bound_is_tight_at_the_optimal_critic():
    # P = N(0, 1), Q = N(1, 1): KL(P||Q) = 1/2; the optimal V is f'(p/q) = 1 + log p/q = 1.5 - x
    torch.manual_seed(0)
    xp, xq = torch.randn(200_000, dtype=torch.float64), torch.randn(200_000, dtype=torch.float64) + 1
    est = fgan_bound(DIVERGENCES["kl"], 1.5 - xp, 1.5 - xq)
    assert est.item() == pytest.approx(0.5, abs=0.02)
    # any other critic gives a lower bound
    assert fgan_bound(DIVERGENCES["kl"], 1.2 - 0.8 * xp, 1.2 - 0.8 * xq).item() < est.item()


@pytest.mark.parametrize("name", NAMES)
def test_g_loss_is_the_alternative_form(name):
    fake = torch.randn(10, dtype=torch.float64)
    div = DIVERGENCES[name]
    assert LOSSES.get(f"fgan-{name}").g(fake).item() == pytest.approx(-div.activation(fake).mean().item())
