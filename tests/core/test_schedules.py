"""LR schedules match the reference formulas."""

import pytest

from translate.config import ScheduleConfig
from translate.core.schedules import build_schedule
from translate.errors import ConfigError


def test_linear_matches_pix2pix_reference():
    # reference: 1 - max(0, epoch + 1 - n_epochs) / (n_epochs_decay + 1), epoch 0-based
    f = build_schedule(ScheduleConfig(kind="linear", decay_start=0.5), 200)
    ref = lambda e: 1.0 - max(0, e + 1 - 100) / 101.0  # noqa: E731
    assert all(f(e) == pytest.approx(ref(e)) for e in range(200))
    assert f(98) == 1.0 and f(199) == pytest.approx(1 / 101)


def test_step_cosine_constant_and_warmup():
    assert build_schedule(ScheduleConfig(kind="step", step_every=0.25, gamma=0.1), 100)(60) == pytest.approx(0.01)
    cos = build_schedule(ScheduleConfig(kind="cosine"), 10)
    assert cos(0) == pytest.approx(1.0) and cos(5) == pytest.approx(0.5) and cos(10) == pytest.approx(0.0)
    warm = build_schedule(ScheduleConfig(kind="constant", warmup=4), 10)
    assert [warm(u) for u in range(5)] == pytest.approx([0.25, 0.5, 0.75, 1.0, 1.0])


def test_unknown_schedule():
    with pytest.raises(ConfigError, match="unknown LR schedule 'exp'"):
        build_schedule(ScheduleConfig(kind="exp"), 10)
