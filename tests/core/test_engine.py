"""Engine behaviour beyond the happy path: NaN guard, checkpoint cadence and pruning, logging."""

from __future__ import annotations

import json
import shutil

import pytest
import torch

from tests.conftest import TINY_PIX2PIX
from translate import checkpoint as ckpt
from translate.nets.loading import load_model_file

from translate.errors import TrainingDiverged
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
    rows = [json.loads(l) for l in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
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
