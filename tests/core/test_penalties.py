"""Gradient penalties: closed forms on a linear D and gradcheck of the double backward in float64."""

import pytest
import torch
from torch import nn
from torch.autograd import gradcheck
from torch.func import functional_call

from translate.config import GanConfig
from translate.core.adversary import Adversary
from translate.core.penalties import dragan_penalty, drift_penalty, gradient_penalty, r1_penalty, r1r2_penalty, r2_penalty
from translate.registry import PENALTIES


def linear_d(w: list[float]) -> nn.Linear:
    d = nn.Linear(len(w), 1).double()
    with torch.no_grad():
        d.weight.copy_(torch.tensor([w]))
    return d


def test_registered():
    assert {"gp", "dragan", "r1", "r2", "r1r2"} <= set(PENALTIES.names())


def test_closed_forms_on_a_linear_discriminator():
    d = linear_d([2.0, 0.0, 0.0])  # grad D = w everywhere, ||w|| = 2
    real, fake = torch.randn(5, 3, dtype=torch.float64), torch.randn(5, 3, dtype=torch.float64)
    assert gradient_penalty(d, real, fake).item() == pytest.approx(1.0)  # (2 - 1)^2
    assert dragan_penalty(d, real, fake).item() == pytest.approx(1.0)
    assert r1_penalty(d, real, fake).item() == pytest.approx(4.0)  # ||w||^2, no 1/2
    assert r2_penalty(d, real, fake).item() == pytest.approx(4.0)


def test_r1_looks_at_reals_and_r2_at_fakes():
    d = nn.Sequential(nn.Linear(1, 1, bias=False)).double()
    sq = lambda x: d(x) ** 2  # grad = 2 w^2 x  # noqa: E731
    with torch.no_grad():
        d[0].weight.fill_(1.0)
    real, fake = torch.full((4, 1), 1.0, dtype=torch.float64), torch.full((4, 1), 3.0, dtype=torch.float64)
    assert r1_penalty(sq, real, fake).item() == pytest.approx(4.0)
    assert r2_penalty(sq, real, fake).item() == pytest.approx(36.0)
    assert r1r2_penalty(sq, real, fake).item() == pytest.approx(4.0 + 36.0)  # R3GAN: both


def test_dragan_perturbs_around_the_data():
    seen = []
    d = linear_d([1.0, 1.0])
    real = torch.randn(64, 2, dtype=torch.float64)

    def spy(x):
        seen.append(x.detach())
        return d(x)

    dragan_penalty(spy, real, real)
    delta = seen[0] - real
    bound = 0.5 * real.std().item()
    assert (delta >= 0).all() and (delta <= bound + 1e-12).all() and delta.abs().max() > 0


def _gradcheck_params(penalty, disc, real, fake):
    """Check d penalty / d theta (what the D optimiser uses) by finite differences."""
    names = [n for n, _ in disc.named_parameters()]
    params = tuple(p.detach().clone().requires_grad_(True) for p in disc.parameters())

    def fn(*ps):
        torch.manual_seed(1)  # the same interpolation/perturbation on every call
        return penalty(lambda x: functional_call(disc, dict(zip(names, ps)), (x,)), real, fake)

    assert gradcheck(fn, params, eps=1e-6, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("penalty", [gradient_penalty, dragan_penalty, r1_penalty, r2_penalty, r1r2_penalty])
def test_gradcheck_through_a_small_mlp(penalty, mlp_d):
    disc = mlp_d(3, 5).double()
    real, fake = torch.randn(4, 3, dtype=torch.float64), torch.randn(4, 3, dtype=torch.float64)
    _gradcheck_params(penalty, disc, real, fake)


@pytest.mark.parametrize("penalty", [gradient_penalty, dragan_penalty, r1_penalty])
def test_gradcheck_through_a_small_conv(penalty, conv_d):
    disc = conv_d(1).double()
    real, fake = torch.randn(2, 1, 6, 6, dtype=torch.float64), torch.randn(2, 1, 6, 6, dtype=torch.float64)
    _gradcheck_params(penalty, disc, real, fake)


def test_drift_adds_epsilon_times_mean_square_real_score():
    """ProGAN's gan.drift: L_D + eps E[D(x)^2], on the real scores only, logged as D_drift."""
    torch.manual_seed(0)
    disc = nn.Linear(4, 1)
    real, fake = torch.randn(8, 4), torch.randn(8, 4)
    plain, _, _, _ = Adversary(GanConfig(loss="wgan", clip=0.01)).d_loss(disc, real, fake)
    loss, logs, real_out, _ = Adversary(GanConfig(loss="wgan", clip=0.01, drift=0.001)).d_loss(disc, real, fake)
    expected = disc(real).square().mean()
    torch.testing.assert_close(drift_penalty(real_out), expected)
    torch.testing.assert_close(loss, plain + 0.001 * expected)
    torch.testing.assert_close(logs["D_drift"], expected.detach())
