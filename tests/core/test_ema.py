"""EMA of generator weights: exact blend, buffers copied (or averaged), plain copy before start."""

import pytest
import torch
from torch import nn

from translate.core.ema import EMA


def net() -> nn.Module:
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)).double()


def test_one_update_is_the_exact_blend():
    g = net()
    ema = EMA(g, decay=0.9)
    s0 = [p.detach().clone() for p in ema.shadow.parameters()]
    with torch.no_grad():
        for p in g.parameters():
            p.add_(torch.randn_like(p))
    g(torch.randn(8, 3, dtype=torch.float64))  # moves the BatchNorm running stats
    ema.update(g, step=10)
    for s, old, p in zip(ema.shadow.parameters(), s0, g.parameters()):
        assert torch.allclose(s, 0.9 * old + 0.1 * p, rtol=0, atol=1e-14)
    for s, b in zip(ema.shadow.buffers(), g.buffers()):
        assert torch.equal(s, b)


def test_copy_before_start_and_frozen_shadow():
    g = net()
    ema = EMA(g, decay=0.99, start=5)
    with torch.no_grad():
        for p in g.parameters():
            p.add_(1.0)
    ema.update(g, step=2)
    assert all(torch.equal(s, p) for s, p in zip(ema.shadow.parameters(), g.parameters()))
    assert not any(p.requires_grad for p in ema.shadow.parameters()) and not ema.shadow.training


def test_state_round_trip_and_bad_decay():
    g = net()
    ema = EMA(g, 0.5)
    other = EMA(net(), 0.5)
    other.load_state_dict(ema.state_dict())
    assert all(torch.equal(a, b) for a, b in zip(ema.shadow.state_dict().values(), other.shadow.state_dict().values()))
    with pytest.raises(ValueError):
        EMA(g, 1.0)


def test_rampup_limits_the_half_life_early():
    import torch
    from torch import nn

    from translate.core.ema import EMA

    net = nn.Linear(2, 2)
    ema = EMA(net, decay=0.999, rampup=0.5)
    old = ema.shadow.weight.detach().clone()
    with torch.no_grad():
        net.weight.add_(1.0)
    ema.update(net, step=3)  # half-life 0.5 * 4 = 2 steps: decay 0.5 ** (1 / 2)
    d = 0.5 ** 0.5
    torch.testing.assert_close(ema.shadow.weight, d * old + (1 - d) * net.weight.detach())
    late = EMA(net, decay=0.999, rampup=0.5)
    before = late.shadow.weight.detach().clone()
    with torch.no_grad():
        net.weight.add_(1.0)
    late.update(net, step=10**6)  # ramp long over: the configured decay
    torch.testing.assert_close(late.shadow.weight, 0.999 * before + 0.001 * net.weight.detach())


def test_average_buffers_blend_batchnorm_stats_like_the_weights() -> None:
    """ema_buffers=average: running mean/var move by (1 - decay); the integer counter is copied."""
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
    ema = EMA(net, decay=0.75, buffers="average")
    bn, shadow_bn = net[1], ema.shadow[1]
    old_mean = shadow_bn.running_mean.clone()  # zeros
    net.train()(torch.randn(2, 3, 8, 8) + 3.0)  # moves the live running stats
    ema.update(net, step=10)
    torch.testing.assert_close(shadow_bn.running_mean, 0.75 * old_mean + 0.25 * bn.running_mean)
    assert not torch.equal(shadow_bn.running_mean, bn.running_mean)
    assert int(shadow_bn.num_batches_tracked) == int(bn.num_batches_tracked) == 1
    copied = EMA(net, decay=0.75)
    net(torch.randn(2, 3, 8, 8))
    copied.update(net, step=10)
    assert torch.equal(copied.shadow[1].running_mean, bn.running_mean)


def test_unknown_buffer_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="buffers"):
        EMA(nn.Linear(2, 2), buffers="mean")
