"""Training phases: when they run, the lazy ratio, and what the runner does around one optimiser step."""

import pytest
import torch
from torch import nn

from translate.core.phases import Phase, PhaseRunner, describe, due_phases, every, lazy_ratio, lazy_ratios
from translate.errors import ConfigError


def _loss(batch, out, step):
    raise AssertionError("not called")


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_every_n_critic_is_the_old_rule(n):
    g = Phase("Gmain", "G", _loss, **every(n))
    assert [s for s in range(20) if g.due(s)] == [s for s in range(20) if (s + 1) % n == 0]


def test_lazy_phases_run_from_step_zero_every_interval():
    reg = Phase("Dreg", "D", _loss, interval=16, lazy=True)
    assert [s for s in range(40) if reg.due(s)] == [0, 16, 32]
    assert reg.gain == 16 and reg.tag == "Dreg"
    main = Phase("Dmain", "D", _loss)
    assert main.gain == 1 and main.tag == "D" and all(main.due(s) for s in range(5))
    phases = [main, reg, Phase("Gmain", "G", _loss, **every(2))]
    assert [p.name for p in due_phases(phases, 16)] == ["Dmain", "Dreg"]
    assert [p.name for p in due_phases(phases, 17)] == ["Dmain", "Gmain"]
    assert describe(phases) == "Dmain, Dreg every 16, Gmain every 2 from step 1"


def test_bad_intervals_are_config_errors():
    with pytest.raises(ConfigError, match="train.n_critic: must be >= 1"):
        every(0)
    with pytest.raises(ConfigError, match="phase Greg: interval must be >= 1"):
        Phase("Greg", "G", _loss, interval=0, lazy=True)


def test_lazy_ratio_is_k_over_k_plus_one_per_optimizer():
    assert lazy_ratio([16]) == 16 / 17 and lazy_ratio([4]) == 4 / 5
    assert lazy_ratio([2, 2]) == 0.5  # two lazy phases: the optimiser steps 1 + 1/2 + 1/2 times per step
    phases = [Phase("Dmain", "D", _loss), Phase("Dreg", "D", _loss, interval=16, lazy=True),
              Phase("Gmain", "G", _loss, interval=4)]  # not lazy: no correction for G
    assert lazy_ratios(phases) == {"D": 16 / 17}


def _runner(lr: float = 1.0):
    torch.manual_seed(0)
    g, d = nn.Linear(2, 2), nn.Linear(2, 1)
    opts = {"G": torch.optim.SGD(g.parameters(), lr=lr), "D": torch.optim.SGD(d.parameters(), lr=lr)}
    return g, d, PhaseRunner(opts)


def test_runner_freezes_the_other_optimizer_and_restores_it():
    g, d, runner = _runner()
    seen = {}

    def d_loss(batch, out, step):
        seen["g"] = [p.requires_grad for p in g.parameters()]
        seen["d"] = [p.requires_grad for p in d.parameters()]
        return d(g(batch["x"])).mean(), {"D_mean": torch.tensor(2.0)}

    g_before = [p.detach().clone() for p in g.parameters()]
    ok, loss, logs = runner.run(Phase("Dmain", "D", d_loss), {"x": torch.randn(4, 2)}, {}, 0)
    assert ok and seen == {"g": [False, False], "d": [True, True]}
    assert all(p.requires_grad for p in g.parameters())  # restored for the next forward
    assert all(torch.equal(a, b) for a, b in zip(g_before, g.parameters()))  # only D moved
    assert all(p.grad is None for p in g.parameters())
    assert logs == {"loss_D": float(loss), "D_mean": 2.0}


def test_lazy_gain_scales_the_gradient_and_hooks_run_in_order():
    _, d, runner = _runner(lr=0.1)
    calls = []

    class Hooked(PhaseRunner):
        def after_backward(self, phase, params, logs):
            calls.append(("grad", phase.name, [p.grad.clone() for p in params if p.grad is not None]))  # bias: no grad

        def stepped(self, phase):
            calls.append(("stepped", phase.name))

    runner = Hooked(runner.optimizers)
    loss = lambda b, o, s: ((d.weight ** 2).sum(), {})  # noqa: E731  d/dw = 2w
    w0 = d.weight.detach().clone()
    reg = Phase("Dreg", "D", loss, interval=4, lazy=True, after_step=lambda: calls.append(("after_step",)))
    _, value, logs = runner.run(reg, {}, {}, 0)
    assert torch.allclose(calls[0][2][0], 4 * 2 * w0)  # gain 4
    assert [c[0] for c in calls] == ["grad", "after_step", "stepped"]
    assert torch.allclose(d.weight, w0 - 0.1 * 8 * w0) and logs["loss_Dreg"] == pytest.approx(float(value))


def test_non_finite_loss_skips_backward_and_step_when_guarded():
    g, d, runner = _runner()

    class Guarded(PhaseRunner):
        def finite(self, phase, loss):
            return bool(torch.isfinite(loss))

    runner = Guarded(runner.optimizers)
    w0 = d.weight.detach().clone()
    ok, _, logs = runner.run(Phase("Dmain", "D", lambda b, o, s: (d.weight.sum() * float("nan"), {})), {}, {}, 0)
    assert not ok and torch.equal(d.weight, w0) and d.weight.grad is None
    assert list(logs) == ["loss_D"] and all(p.requires_grad for p in g.parameters())
