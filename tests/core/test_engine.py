"""Engine behaviour beyond the happy path: NaN guard, checkpoint cadence and pruning, logging."""

from __future__ import annotations

import json
import shutil

import pytest
import torch

from tests.conftest import TINY_PIX2PIX
from translate import checkpoint as ckpt
from translate.errors import TrainingDiverged
from translate.nets.loading import load_model_file
from translate.tasks.launch import TrainArgs, build_config, engine_for
from translate.tasks.pix2pix import Pix2PixTask


def _engine(data, run, steps, extra=()):
    cfg = build_config(TrainArgs(task="pix2pix", data=str(data), steps=steps, overrides=[*TINY_PIX2PIX, *extra]))
    return engine_for(cfg, run)


def _nan_at(monkeypatch, steps: set[int] | None):
    real = Pix2PixTask.g_loss

    def g_loss(self, batch, out, step):
        loss, logs = real(self, batch, out, step)
        if steps is None or step in steps:
            loss = loss * float("nan")
        return loss, logs

    monkeypatch.setattr(Pix2PixTask, "g_loss", g_loss)


def test_single_nan_step_is_skipped_and_counted(aligned_dir, tmp_path, monkeypatch):
    _nan_at(monkeypatch, {2})
    eng = _engine(aligned_dir, tmp_path / "run", 5)
    eng.fit()
    rows = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert eng.bad_total == 1 and rows[-1]["step"] == 5
    assert any(r.get("skipped_steps") == 1.0 for r in rows)


def test_repeated_nan_stops_with_clear_message(aligned_dir, tmp_path, monkeypatch):
    _nan_at(monkeypatch, None)
    eng = _engine(aligned_dir, tmp_path / "run", 20, ["train.nan_tolerance=3"])
    with pytest.raises(TrainingDiverged, match="3 consecutive steps with non-finite losses"):
        eng.fit()


def test_periodic_checkpoints_are_kept_latest_superseded(aligned_dir, tmp_path):
    run = tmp_path / "run"
    _engine(aligned_dir, run, 6, ["train.ckpt_every=2", "train.keep_last=2", "train.latest_every=1"]).fit()
    names = sorted(p.name for p in (run / "checkpoints").glob("step_*"))
    assert names == ["step_00000004", "step_00000006"]  # periodic 2 pruned by keep_last, odd steps superseded
    assert (run / "checkpoints" / "LATEST").read_text() == "step_00000006"


def test_stale_latest_pointer_falls_back_to_newest_complete(aligned_dir, tmp_path):
    run = tmp_path / "run"
    _engine(aligned_dir, run, 4, ["train.ckpt_every=2"]).fit()
    (run / "checkpoints" / "LATEST").write_text("step_00000099")  # e.g. a kill between writes
    assert ckpt.latest_checkpoint(run).name == "step_00000004"
    shutil.rmtree(run / "checkpoints" / "step_00000004")
    assert ckpt.latest_checkpoint(run).name == "step_00000002"


def test_tensorboard_and_sample_grid(aligned_dir, tmp_path):
    run = tmp_path / "run"
    _engine(aligned_dir, run, 3, ["train.tensorboard=true"]).fit()
    assert list((run / "tb").glob("events.out.tfevents.*"))
    from PIL import Image

    grid = Image.open(run / "samples" / "step_00000003.png")
    assert grid.size[0] > 3 * 32 and grid.size[1] > 2 * 32  # 3 columns (A, fake B, B) x 2 rows


def test_ema_generator_is_saved_for_inference(aligned_dir, tmp_path):
    run = tmp_path / "run"
    eng = _engine(aligned_dir, run, 3, ["train.ema=0.9"])
    eng.fit()
    gf = load_model_file(run)
    assert gf.meta["ema"] is True
    shadow = eng.ema["G"].shadow.state_dict()
    assert all(torch.equal(v, gf.nets["G"].state_dict()[k]) for k, v in shadow.items())
    raw = eng.task.nets["G"].state_dict()
    assert any(not torch.equal(v, shadow[k]) for k, v in raw.items() if v.is_floating_point())


LAZY_R1 = ["gan.penalty=r1", "gan.penalty_weight=1", "gan.penalty_every=2"]


def _adam_steps(opt: torch.optim.Optimizer) -> int:
    """Adam's step counter (the most of its parameters: R1 leaves D's last bias without a gradient)."""
    return max(int(s["step"]) for s in opt.state.values())


def _rows(run, key: str) -> set[int]:
    return {r["step"] for r in map(json.loads, (run / "metrics.jsonl").read_text().splitlines()) if key in r}


def test_lazy_r1_is_a_phase_with_its_own_optimizer_steps(aligned_dir, tmp_path):
    eng = _engine(aligned_dir, tmp_path / "run", 4, LAZY_R1)
    assert [p.name for p in eng.phases] == ["Dmain", "Dreg", "Gmain"]
    d, g = eng.opt["D"].param_groups[0], eng.opt["G"].param_groups[0]
    assert d["initial_lr"] == pytest.approx(2e-4 * 2 / 3) and d["betas"] == pytest.approx((0.5 ** (2 / 3), 0.999 ** (2 / 3)))
    assert g["initial_lr"] == 2e-4 and g["betas"] == (0.5, 0.999)  # no lazy G phase: G uncorrected
    eng.fit()
    assert _adam_steps(eng.opt["D"]) == 4 + 2 and _adam_steps(eng.opt["G"]) == 4  # Dreg at steps 0 and 2
    run = tmp_path / "run"
    assert _rows(run, "D_r1") == _rows(run, "loss_Dreg") == _rows(run, "grad_norm_Dreg") == {1, 3}  # logged as step + 1
    assert _rows(run, "loss_D") == {1, 2, 3, 4}


def test_amp_scaler_allows_two_steps_of_one_optimizer(aligned_dir, tmp_path, monkeypatch):
    """Dmain and Dreg step D's optimiser in one step, and a skipped step leaves D stepped: the
    GradScaler is updated before an optimiser steps again."""
    from translate.core import engine as engine_module
    from translate.core.precision import Precision

    monkeypatch.setattr(engine_module, "make_precision", lambda mode, device: Precision(None, "cpu", torch.amp.GradScaler("cpu")))
    _nan_at(monkeypatch, {1})  # Dmain steps, then G's loss is NaN: step skipped
    eng = _engine(aligned_dir, tmp_path / "run", 4, LAZY_R1)
    eng.fit()
    assert eng.bad_total == 1
    assert _adam_steps(eng.opt["D"]) == 4 + 2 and _adam_steps(eng.opt["G"]) == 3
