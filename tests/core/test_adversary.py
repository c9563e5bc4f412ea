"""The Adversary: config resolution, diagnostics, penalties (lazy), noise annealing, clipping."""

import math

import pytest
import torch
from torch import nn

from translate.config import GanConfig
from translate.core.adversary import Adversary, resolve_gan_config
from translate.errors import ConfigError


def test_objectives_imply_their_constraints():
    assert resolve_gan_config(GanConfig(loss="wgan")).clip == 0.01
    assert resolve_gan_config(GanConfig(loss="wgan-gp")).penalty == "gp"
    assert resolve_gan_config(GanConfig(loss="wgan-gp", penalty="r1")).penalty == "r1"


@pytest.mark.parametrize("bad", [{"penalty": "r3"}, {"loss": "wgan-ppp"}, {"penalty_every": 0}, {"unrolled_steps": -1},
                                 {"label_smoothing": 1.0}, {"instance_noise": -0.1}])
def test_bad_configs_raise(bad):
    with pytest.raises(ConfigError):
        Adversary(GanConfig(**bad))


def test_d_loss_logs_and_estimates():
    real, fake = torch.full((4, 1), 2.0), torch.full((4, 1), -1.0)
    ident = lambda x: x  # noqa: E731
    _, logs, _, _ = Adversary(GanConfig(loss="wgan")).d_loss(ident, real, fake)
    assert logs["D_real"] == 2.0 and logs["D_fake"] == -1.0 and logs["W_estimate"] == 3.0
    loss, logs, _, _ = Adversary(GanConfig(loss="fgan-kl")).d_loss(ident, real, fake)
    assert logs["Df_estimate"].item() == pytest.approx(-loss.item())
    assert "W_estimate" not in Adversary(GanConfig(loss="hinge")).d_loss(ident, real, fake)[1]


def test_tuple_outputs_use_the_first_item():
    disc = lambda x: (x.sum(1), torch.zeros(len(x), 5))  # noqa: E731  (StarGAN: logits, class scores)
    loss, logs, real_out, _ = Adversary(GanConfig(loss="hinge")).d_loss(disc, torch.ones(2, 1), torch.zeros(2, 1))
    assert isinstance(real_out, tuple) and loss.item() == pytest.approx(0.0 + 1.0)


def test_penalty_in_d_loss_unless_lazy():
    d = nn.Linear(2, 1)
    with torch.no_grad():
        d.weight.copy_(torch.tensor([[3.0, 4.0]]))  # ||grad|| = 5
    real, fake = torch.randn(3, 2), torch.randn(3, 2)
    cfg = dict(loss="nonsaturating", penalty="r1", penalty_weight=0.5)
    plain = Adversary(GanConfig(loss="nonsaturating")).d_loss(d, real, fake)[0]
    both = Adversary(GanConfig(**cfg))  # penalty_every 1: part of the D loss ("Dboth")
    loss, logs, _, _ = both.d_loss(d, real, fake, step=3)
    assert not both.lazy_penalty and logs["D_r1"].item() == pytest.approx(25.0)
    assert (loss - plain).item() == pytest.approx(0.5 * 25.0, rel=1e-5)
    lazy = Adversary(GanConfig(**cfg, penalty_every=4))  # a phase of its own: d_loss leaves it out
    loss, logs, _, _ = lazy.d_loss(d, real, fake, step=8)
    assert lazy.lazy_penalty and "D_r1" not in logs and loss.item() == pytest.approx(plain.item())
    reg, logs = lazy.penalty_loss(d, real, fake, step=8)  # the interval is the phase's gain, not in here
    assert reg.item() == pytest.approx(0.5 * 25.0) and logs["D_r1"].item() == pytest.approx(25.0)
    with pytest.raises(ConfigError, match="gan.penalty"):
        Adversary(GanConfig(loss="nonsaturating")).penalty_loss(d, real, fake)


@pytest.mark.parametrize("penalty", ["r1", "gp"])
def test_conditional_d_penalty_ignores_the_condition_channels(penalty):
    """pix2pix's D sees concat(A, B): with ``condition_channels`` the penalty is on d D / d B only."""
    d = nn.Linear(4, 1)  # channels 0-1: condition (weights 3, 4), 2-3: judged (weights 6, 8)
    with torch.no_grad():
        d.weight.copy_(torch.tensor([[3.0, 4.0, 6.0, 8.0]]))
    a = torch.randn(3, 2)
    real, fake = torch.cat([a, torch.randn(3, 2)], 1), torch.cat([a, torch.randn(3, 2)], 1)
    adv = Adversary(GanConfig(loss="nonsaturating", penalty=penalty))
    full = adv.d_loss(d, real, fake)[1][f"D_{penalty}"].item()  # ||(3, 4, 6, 8)|| = sqrt(125)
    adv.condition_channels = 2
    judged = adv.d_loss(d, real, fake)[1][f"D_{penalty}"].item()  # ||(6, 8)|| = 10
    want = {"r1": (125.0, 100.0), "gp": ((125**0.5 - 1) ** 2, 81.0)}[penalty]
    assert (full, judged) == (pytest.approx(want[0], rel=1e-5), pytest.approx(want[1], rel=1e-5))
    assert adv.penalty_loss(d, real, fake)[1][f"D_{penalty}"].item() == pytest.approx(want[1], rel=1e-5)


def test_instance_noise_anneals_to_zero():
    adv = Adversary(GanConfig(instance_noise=0.2), total_steps=100)
    x = torch.zeros(1000, 4)
    assert adv.prepare_inputs(x, 0).std().item() == pytest.approx(0.2, rel=0.1)
    assert adv.prepare_inputs(x, 50).std().item() == pytest.approx(0.1, rel=0.1)
    assert torch.equal(adv.prepare_inputs(x, 100), x)


def test_label_smoothing_changes_the_real_target():
    zero = torch.zeros(4, 1)
    ident = lambda x: x  # noqa: E731
    plain = Adversary(GanConfig(loss="lsgan")).d_loss(ident, torch.ones(4, 1), zero)[0]
    smooth = Adversary(GanConfig(loss="lsgan", label_smoothing=0.1)).d_loss(ident, torch.ones(4, 1), zero)[0]
    assert plain.item() == 0.0 and smooth.item() == pytest.approx(0.01)


def test_g_loss_for_relativistic_needs_real():
    adv = Adversary(GanConfig(loss="ralsgan"))
    with pytest.raises(ConfigError, match="needs real"):
        adv.g_loss(lambda x: x, torch.zeros(2, 1))
    loss, _, _ = adv.g_loss(lambda x: x, torch.full((2, 1), -0.5), torch.full((2, 1), 0.5))
    assert loss.item() == pytest.approx(8.0)


def test_weight_clipping_after_d_step():
    d = nn.Linear(4, 3)
    with torch.no_grad():
        d.weight.fill_(1.0)
    Adversary(GanConfig(loss="wgan")).after_d_step([d])
    assert d.weight.abs().max().item() == pytest.approx(0.01) and d.bias.abs().max() <= 0.01


def test_minimax_game_value_through_the_adversary():
    zero = lambda x: torch.zeros(len(x), 1)  # noqa: E731  D* = 1/2
    loss, _, _, _ = Adversary(GanConfig(loss="minimax")).d_loss(zero, torch.randn(4, 2), torch.randn(4, 2))
    assert -loss.item() == pytest.approx(-math.log(4))


def test_multi_scale_logits_average_the_objective_over_scales():
    """A multi-scale D (ScaleLogits): each objective is the mean of its per-scale values (pix2pixHD), penalties see all."""
    from translate.core.penalties import r1_penalty
    from translate.nets.layers import ScaleLogits

    w = torch.nn.Parameter(torch.tensor(0.5))

    def two_scales(x):  # scale 1: x, scale 2: 3 w x over a [N, 2] map
        return ScaleLogits((x, 3 * w * x.repeat(1, 2)))

    real, fake = torch.full((4, 1), 1.0), torch.full((4, 1), -1.0)
    for name in ("nonsaturating", "rpgan", "hinge"):
        adv = Adversary(GanConfig(loss=name))
        loss, logs, _, _ = adv.d_loss(two_scales, real, fake)
        obj = adv.loss
        want = (obj.d(real, fake) + obj.d(1.5 * real.repeat(1, 2), 1.5 * fake.repeat(1, 2))) / 2
        assert loss.item() == pytest.approx(want.item()) and logs["D_real"].item() == pytest.approx((1.0 + 1.5) / 2)
        g, _, _ = adv.g_loss(two_scales, fake, real)
        want_g = (obj.g(fake, real) + obj.g(1.5 * fake.repeat(1, 2), 1.5 * real.repeat(1, 2))) / 2
        assert g.item() == pytest.approx(want_g.item())
    # d sum(D) / dx = 1 + 2 * 3w = 4 per sample: R1 = 16
    assert r1_penalty(two_scales, real, fake).item() == pytest.approx(16.0)


def test_r3gan_d_and_g_loss_values_on_hand_made_inputs():
    """RpGAN + gamma/2 (R1 + R2) (models/dcgan/r3gan_digits.yaml, gamma 0.05) through the Adversary, by hand.

    D(x) = x^2 on 1-D inputs: logits real [1, 4], fake [0, 1]; grad D = 2x, so R1 = mean(4 x_real^2) = 10
    and R2 = mean(4 x_fake^2) = 2.
    """
    sp = lambda v: math.log1p(math.exp(v))  # noqa: E731  softplus
    sq = lambda x: x**2  # noqa: E731
    real, fake = torch.tensor([[1.0], [2.0]]), torch.tensor([[0.0], [-1.0]], requires_grad=True)
    adv = Adversary(GanConfig(loss="rpgan", penalty="r1r2", penalty_weight=0.025))
    loss, logs, _, _ = adv.d_loss(sq, real, fake)
    rp = (sp(0.0 - 1.0) + sp(1.0 - 4.0)) / 2  # pairs (1, 0) and (4, 1): softplus(fake - real)
    assert logs["D_r1r2"].item() == pytest.approx(10.0 + 2.0)
    assert loss.item() == pytest.approx(rp + 0.025 * 12.0)
    assert fake.grad is None  # the D loss sees detached fakes
    g, _, _ = adv.g_loss(sq, fake, real)
    assert g.item() == pytest.approx((sp(1.0 - 0.0) + sp(4.0 - 1.0)) / 2)  # softplus(real - fake)
    g.backward()
    # d/df_i of mean_i softplus(r_i - f_i^2) = -sigmoid(r_i - f_i^2) * 2 f_i / N: 0 at f = 0, sigmoid(3) at f = -1
    assert torch.allclose(fake.grad, torch.tensor([[0.0], [torch.sigmoid(torch.tensor(3.0)).item()]]))
