"""Toy benchmark: a short run returns the expected figures and a scatter PNG."""

import pytest
import torch

from translate.errors import ConfigError
from translate.evaluation.toy import MIXTURES, run_toy, score_samples

KEYS = {"loss", "mixture", "steps", "unrolled", "modes_covered", "n_modes", "high_quality", "mode_counts", "seconds", "cpu_seconds",
        "diverged_at", "settings", "precision", "recall"}


def test_short_run_returns_scores_and_png(tmp_path):
    out = run_toy("nonsaturating", steps=30, batch=64, n_eval=500, out_png=tmp_path / "ring.png")
    assert KEYS <= set(out) and out["n_modes"] == 8 and out["steps"] == 30
    assert 0 <= out["modes_covered"] <= 8 and 0.0 <= out["high_quality"] <= 1.0
    assert (tmp_path / "ring.png").stat().st_size > 1000 and out["png"].endswith("ring.png")


@pytest.mark.parametrize("kw", [{"loss": "wgan-gp", "grid": True}, {"loss": "hinge", "spectral_norm": True, "unrolled": 2},
                                {"loss": "fgan-js", "penalty": "r1"},
                                {"loss": "rpgan", "penalty": "r1r2"}])
def test_options_reach_the_adversary(kw):
    out = run_toy(steps=3, batch=32, n_eval=200, **kw)
    assert out["n_modes"] == (25 if kw.get("grid") else 8)
    assert out["penalty"] == kw.get("penalty", "gp" if kw["loss"] == "wgan-gp" else "none")


def test_scoring_counts_modes_within_three_std():
    mix = MIXTURES["ring"]()
    samples = torch.cat([mix.means[:3].repeat_interleave(30, 0), torch.full((10, 2), 9.0)])
    s = score_samples(samples, mix)
    assert s["modes_covered"] == 3 and s["high_quality"] == pytest.approx(90 / 100)
    assert score_samples(samples[:45], mix)["modes_covered"] == 1  # 30 + 15: only one mode has >= 20


def test_precision_recall_next_to_modes():
    mix = MIXTURES["ring"]()
    good = score_samples(mix.sample(2000, torch.Generator().manual_seed(1)), mix)
    assert good["precision"] > 0.95 and good["recall"] > 0.95
    collapsed = score_samples(mix.means[:1] + mix.std * torch.randn(2000, 2, generator=torch.Generator().manual_seed(2)), mix)
    assert collapsed["modes_covered"] == 1 and collapsed["precision"] > 0.95 and collapsed["recall"] < 0.2  # ~1/8


def test_unknown_loss():
    with pytest.raises(ConfigError, match="unknown GAN loss"):
        run_toy("wgan-xx", steps=1)


def test_toy_runs_the_engine_phases(monkeypatch):
    """No loop of its own: Dmain and Gmain go through core.phases.PhaseRunner (5 critic steps per G step)."""
    from translate.core.phases import PhaseRunner

    seen = []
    real = PhaseRunner.run

    def run(self, phase, batch, out, step):
        seen.append((phase.name, step))
        return real(self, phase, batch, out, step)

    monkeypatch.setattr(PhaseRunner, "run", run)
    run_toy("wgan-gp", steps=2, batch=16, n_eval=100)
    assert [s for name, s in seen if name == "Gmain"] == [4, 9] and [s for name, s in seen if name == "Dmain"] == list(range(10))
    assert seen.index(("Gmain", 4)) == seen.index(("Dmain", 4)) + 1  # D, then G, within a step
