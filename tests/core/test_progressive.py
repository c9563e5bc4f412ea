"""The progressive-growing schedule (a pure function of the step) and what the engine capability applies."""

from __future__ import annotations

import pytest
import torch

import translate.nets  # noqa: F401  (registers the nets)
from translate.config import ProgressiveConfig
from translate.core.progressive import Growth, build_growth, plan, stage_at
from translate.errors import ConfigError
from translate.registry import DISCRIMINATORS, GENERATORS


def _cfg(**kw) -> ProgressiveConfig:
    return ProgressiveConfig(**{"start": 4, "stable": 4, "fade": 4, "unit": "steps", **kw})


def test_phases_stable_first_then_fade_in_and_stable_per_resolution():
    spans = plan(_cfg(), num_levels=3, default_batch=8)  # 4 -> 16 px
    assert [(s.level, s.fade, s.start, s.steps) for s in spans] == [
        (0, False, 0, 4), (1, True, 4, 4), (1, False, 8, 4), (2, True, 12, 4), (2, False, 16, 4)]
    # alpha = share of the fade-in already shown: 0 at its first step, never 1 inside it
    assert [stage_at(spans, k).alpha for k in range(3, 10)] == [1.0, 0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    assert [stage_at(spans, k).level for k in (0, 3, 4, 11, 12, 19)] == [0, 0, 1, 1, 2, 2]
    past = stage_at(spans, 500)  # after the schedule: the last level, fully in
    assert (past.level, past.alpha, past.phase) == (2, 1.0, 4)


def test_images_units_and_per_resolution_batch_sizes():
    cfg = _cfg(unit="images", stable=100, fade=60, final=250, batch_sizes={4: 16, "8": 32, 16: 8})
    spans = plan(cfg, num_levels=3, default_batch=4)
    assert [(s.steps, s.batch_size) for s in spans] == [(7, 16), (2, 32), (4, 32), (8, 8), (32, 8)]  # ceil(images / batch)
    assert stage_at(spans, 7).batch_size == 32 and stage_at(spans, 13).batch_size == 8
    assert plan(_cfg(start=8), num_levels=3, default_batch=4)[0].level == 1  # start at 8 px: no 4 px phase
    assert len(plan(_cfg(fade=0), num_levels=3, default_batch=4)) == 3  # no fade-ins: straight switches


@pytest.mark.parametrize("cfg, message", [
    (_cfg(start=6), "progressive.start: expected a power of two"),
    (_cfg(start=32), "above the nets' resolution"),
    (_cfg(batch_sizes={12: 4}), "batch_sizes key"),
    (_cfg(batch_sizes={8: 0}), "must be >= 1"),
    (_cfg(batch_sizes={8: "many"}), "expected resolution: batch size integers"),
])
def test_bad_schedules_are_one_line_config_errors(cfg, message):
    with pytest.raises(ConfigError, match=message):
        plan(cfg, num_levels=3, default_batch=4)


def _nets():
    kw = {"resolution": 16, "fmap_base": 32, "fmap_max": 8}
    return {"G": GENERATORS.build("progan", latent_size=8, **kw), "D": DISCRIMINATORS.build("progan", **kw)}


def _adam_with_state() -> torch.optim.Adam:
    p = torch.nn.Parameter(torch.ones(2))
    opt = torch.optim.Adam([p])
    p.grad = torch.ones(2)
    opt.step()
    return opt


@pytest.mark.parametrize("reset", [True, False])
def test_growth_sets_the_stage_and_resets_adam_at_phase_starts(reset):
    nets = _nets()
    growth = Growth(_cfg(reset_optim=reset), nets, default_batch=2)
    shadow = GENERATORS.build("progan", latent_size=8, resolution=16, fmap_base=32, fmap_max=8)
    opt = _adam_with_state()
    st = growth.apply(5, [shadow], [opt])  # inside the 8 px fade-in: no reset
    assert (st.level, st.alpha) == (1, 0.25) and opt.state
    assert all((n.level, n.alpha) == (1, 0.25) for n in (*nets.values(), shadow))
    growth.apply(8, [], [opt])  # the 8 px stable phase starts
    assert bool(opt.state) is not reset
    assert growth.total == 20 and growth.phase_ends_at(8) and not growth.phase_ends_at(9)
    assert not growth.batch_changes_after(3)


def test_growth_needs_growing_nets_of_one_resolution():
    assert build_growth(ProgressiveConfig(), _nets(), 2) is None  # start 0: off
    with pytest.raises(ConfigError, match="none of this task's nets can grow"):
        Growth(_cfg(), {"G": torch.nn.Linear(2, 2)}, 2)
    nets = {**_nets(), "D": DISCRIMINATORS.build("progan", resolution=32, fmap_base=32, fmap_max=8)}
    with pytest.raises(ConfigError, match="resolutions differ"):
        Growth(_cfg(), nets, 2)
