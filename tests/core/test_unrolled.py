"""Unrolled D: k = 0 is the plain G loss; k > 0 differentiates through the look-ahead, D untouched."""

import copy

import pytest
import torch
from torch import nn

from translate.config import GanConfig
from translate.core.adversary import Adversary
from translate.core.spectral import apply_spectral_norm
from translate.core.unrolled import Unroller
from translate.errors import ConfigError
from translate.registry import LOSSES


def d_with_bn() -> nn.Module:
    return nn.Sequential(nn.Linear(2, 8), nn.BatchNorm1d(8), nn.Tanh(), nn.Linear(8, 1))


def g_step(adv: Adversary, D: nn.Module, G: nn.Module, z: torch.Tensor, real: torch.Tensor) -> list[torch.Tensor]:
    D.requires_grad_(False)  # as the engine does in the G phase
    G.zero_grad()
    loss, _, _ = adv.g_loss(D, G(z), real)
    loss.backward()
    D.requires_grad_(True)
    return [p.grad.clone() for p in G.parameters()]


def test_zero_steps_is_the_plain_generator_loss():
    D, G = d_with_bn(), nn.Linear(3, 2)
    fake, real = G(torch.randn(6, 3)), torch.randn(6, 2)
    ahead = Unroller(0, 0.1)(D, lambda d: LOSSES.get("vanilla").d(d(real), d(fake)))
    assert torch.allclose(ahead(fake), D(fake))
    adv = Adversary(GanConfig(loss="vanilla", unrolled_steps=0))
    assert adv.g_loss(D, fake, real)[0].item() == pytest.approx(LOSSES.get("vanilla").g(D(fake)).item())


@pytest.mark.parametrize("optim", ["sgd", "adam"])
def test_look_ahead_gradients_reach_g_and_leave_d_alone(optim):
    torch.manual_seed(0)
    D, G = d_with_bn(), nn.Linear(3, 2)
    D = apply_spectral_norm(D)
    z, real = torch.randn(16, 3), torch.randn(16, 2) + 2
    before = copy.deepcopy(D.state_dict())
    plain = g_step(Adversary(GanConfig(loss="nonsaturating")), D, G, z, real)
    D.load_state_dict(before)
    unrolled = g_step(Adversary(GanConfig(loss="nonsaturating", unrolled_steps=3, unrolled_lr=0.5, unrolled_optim=optim)), D, G, z, real)
    after = D.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)  # parameters AND buffers untouched
    assert all(p.grad is None for p in D.parameters())
    assert all(torch.isfinite(g).all() and g.abs().sum() > 0 for g in unrolled)
    assert any(not torch.allclose(a, b, atol=1e-6) for a, b in zip(plain, unrolled))


def test_one_sgd_step_matches_the_hand_computed_look_ahead():
    D = nn.Linear(2, 1)
    real = torch.randn(8, 2)
    fake = torch.randn(8, 2, requires_grad=True)
    loss = LOSSES.get("wgan")
    lr = 0.3
    ahead = Unroller(1, lr, "sgd")(D, lambda d: loss.d(d(real), d(fake)))
    # L_D = E w.fake + b - E w.real - b -> grad_w = mean(fake) - mean(real), grad_b = 0
    w1 = D.weight - lr * (fake.mean(0) - real.mean(0))
    want = fake @ w1.T + D.bias
    got = ahead(fake)
    assert torch.allclose(got, want, atol=1e-6)
    # differentiable through the step: d/dfake of sum(ahead(fake)) includes the look-ahead term
    (g,) = torch.autograd.grad(got.sum(), fake)
    (g_ref,) = torch.autograd.grad(want.sum(), fake)
    assert torch.allclose(g, g_ref, atol=1e-6)


def test_relativistic_objectives_unroll_too():
    D, G = d_with_bn(), nn.Linear(3, 2)
    grads = g_step(Adversary(GanConfig(loss="ragan", unrolled_steps=2)), D, G, torch.randn(8, 3), torch.randn(8, 2))
    assert all(torch.isfinite(g).all() for g in grads)


def test_needs_real_and_a_module():
    adv = Adversary(GanConfig(unrolled_steps=2))
    with pytest.raises(ConfigError, match="needs real inputs"):
        adv.g_loss(nn.Linear(2, 1), torch.randn(4, 2))
    with pytest.raises(ConfigError, match="nn.Module"):
        adv.g_loss(lambda x: x.sum(1), torch.randn(4, 2), torch.randn(4, 2))
    with pytest.raises(ConfigError, match="unrolled_optim"):
        Adversary(GanConfig(unrolled_steps=2, unrolled_optim="rmsprop"))


def test_adam_look_ahead_continues_the_attached_optimiser():
    torch.manual_seed(0)
    D = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    opt = torch.optim.Adam(D.parameters(), lr=0.01, betas=(0.5, 0.9))
    loss = LOSSES.get("nonsaturating")
    real, fake = torch.randn(16, 2), torch.randn(16, 2)
    for _ in range(3):  # warm the moments
        opt.zero_grad()
        loss.d(D(real), D(fake + torch.randn(16, 2))).backward()
        opt.step()
    unroller = Unroller(2, 0.0, "adam")
    unroller.d_optimizer = opt
    ahead, _ = unroller.params(D, lambda d: loss.d(d(real), d(fake)))
    twin = copy.deepcopy(D)
    twin_opt = torch.optim.Adam(twin.parameters(), lr=0.01, betas=(0.5, 0.9))
    twin_opt.load_state_dict(copy.deepcopy(opt.state_dict()))
    for _ in range(2):  # the real optimiser taking the same two steps
        twin_opt.zero_grad()
        loss.d(twin(real), twin(fake)).backward()
        twin_opt.step()
    for name, p in twin.named_parameters():
        assert torch.allclose(ahead[name], p, atol=1e-6), name
    assert opt.state[next(D.parameters())]["step"] == 3  # the real optimiser state is not advanced
