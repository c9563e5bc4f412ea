"""pix2pix trains with every registered objective (the core is switchable by config alone)."""

from __future__ import annotations

import json
import math

import pytest

import translate.core  # noqa: F401  (registers the objectives)
from tests.conftest import TINY_PIX2PIX
from translate.core.losses import objective_names
from translate.tasks.launch import TrainArgs, build_config, engine_for


@pytest.mark.slow
@pytest.mark.parametrize("loss", objective_names())
def test_pix2pix_trains_with_objective(loss, aligned_dir, tmp_path):
    overrides = [*TINY_PIX2PIX, f"gan.loss={loss}", "train.sample_every=0", "train.latest_every=0"]
    # shared_settings: every objective at the recipe's optimiser (own settings: tests/core/test_objective_settings.py)
    cfg = build_config(TrainArgs(task="pix2pix", data=str(aligned_dir), steps=2, overrides=overrides, shared_settings=True))
    eng = engine_for(cfg, tmp_path / "run")
    eng.fit()
    rows = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    steps = [r for r in rows if "loss_G" in r]
    assert [r["step"] for r in steps] == [1, 2] and eng.bad_total == 0
    assert all(math.isfinite(r["loss_D"]) and math.isfinite(r["loss_G"]) for r in steps)
    if eng.task.adv.loss.critic:
        assert all("W_estimate" in r for r in steps)


@pytest.mark.parametrize("kind,arch", [("mean", "patchgan"), ("pix2pixhd", "patchgan"), ("pix2pixhd", "patchgan_multiscale")])
def test_pix2pix_trains_with_feature_matching(kind, arch, aligned_dir, tmp_path):
    """gan.feature_matching on the PatchGAN's features (pix2pixHD: multi-scale D, every layer): loss_G = GAN + w FM."""
    overrides = [*TINY_PIX2PIX, "gan.feature_matching=10", f"gan.feature_matching_kind={kind}", "train.sample_every=0",
                 "train.latest_every=0", "options.lambda_l1=0", f"discriminator.arch={arch}"]
    if arch == "patchgan_multiscale":
        overrides.append("discriminator.num_d=2")
    cfg = build_config(TrainArgs(task="pix2pix", data=str(aligned_dir), steps=3, overrides=overrides))
    eng = engine_for(cfg, tmp_path / "run")
    eng.fit()
    rows = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    steps = [r for r in rows if "loss_G" in r]
    assert len(steps) == 3 and all(r["G_FM"] > 0 and math.isfinite(r["G_FM"]) for r in steps)
    # lambda_l1 = 0: loss_G = G_GAN + 10 G_FM
    assert all(r["loss_G"] == pytest.approx(r["G_GAN"] + 10 * r["G_FM"], rel=1e-5) for r in steps)


def test_feature_matching_refused_where_unsupported(tmp_path):
    from translate.errors import ConfigError
    from translate.registry import TASKS

    cfg = build_config(TrainArgs(task="cyclegan", overrides=["gan.feature_matching=1"]))
    with pytest.raises(ConfigError, match="cyclegan task does not support"):
        TASKS.build("cyclegan", cfg, "cpu")
