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
    cfg = build_config(TrainArgs(task="pix2pix", data=str(aligned_dir), steps=2, overrides=overrides))
    eng = engine_for(cfg, tmp_path / "run")
    eng.fit()
    rows = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    steps = [r for r in rows if "loss_G" in r]
    assert [r["step"] for r in steps] == [1, 2] and eng.bad_total == 0
    assert all(math.isfinite(r["loss_D"]) and math.isfinite(r["loss_G"]) for r in steps)
    if eng.task.adv.loss.critic:
        assert all("W_estimate" in r for r in steps)
