"""Training-time sample metrics (train.eval_metrics) and checkpoints/best (train.eval_best)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import make_folder, run_cli
from tests.tasks.test_cyclegan import TINY_CYCLEGAN
from tests.tasks.test_dcgan import TINY_DCGAN
from translate import checkpoint as ckpt
from translate.core.eval_hook import BEST_FILE, best_dir
from translate.errors import ConfigError
from translate.evaluation import train_eval  # noqa: F401  (registers the evaluator)
from translate.evaluation.train_eval import parse_best
from translate.tasks.launch import TrainArgs, train


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSLATE_CACHE", str(tmp_path / "cache"))


def _rows(run: Path, key: str) -> dict[int, dict]:
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    return {r["step"]: r for r in rows if key in r}


def test_parse_best() -> None:
    assert parse_best("fid") == ("fid", "lower") and parse_best("recall") == ("recall", "higher")
    assert parse_best("kid:higher") == ("kid", "higher")
    with pytest.raises(ConfigError, match="VALUE"):
        parse_best("fid:up")


def test_dcgan_eval_every_and_best(tmp_path, capsys) -> None:
    """Metrics every 2 steps in metrics.jsonl; best = the lowest FID step; predict and export load it; resume keeps it."""
    data = make_folder(tmp_path / "imgs", n=12, size=16)
    run = tmp_path / "run"
    evals = ["train.eval_every=2", "train.eval_metrics=fid,kid,pr", "train.eval_num=10", "train.eval_best=fid",
             "train.eval_features=pixels", "train.eval_size=8"]  # 192 features: FID's 3072-dim sqrtm takes ~30 s
    train(TrainArgs(task="dcgan", data=str(data), steps=6, seed=3, overrides=[*TINY_DCGAN, *evals]), out=str(run))
    rows = _rows(run, "eval/fid")
    assert len([r for r in (run / "metrics.jsonl").read_text().splitlines() if "eval/fid" in r]) == 3  # step 6 once
    assert sorted(rows) == [2, 4, 6] and {"eval/kid", "eval/kid_std", "eval/precision", "eval/recall"} <= set(rows[2])
    best = json.loads((best_dir(run) / BEST_FILE).read_text())
    low = min(rows, key=lambda s: rows[s]["eval/fid"])
    assert best["step"] == low and best["value"] == pytest.approx(rows[low]["eval/fid"]) and best["direction"] == "lower"
    gf = ckpt.read_metadata(best_dir(run) / ckpt.GEN_FILE)
    assert gf["step"] == low and ckpt.load_state(best_dir(run) / ckpt.STATE_FILE)["step"] == low
    assert run_cli(["predict", str(best_dir(run)), "--num", "3", "--out", str(tmp_path / "out")]) == 0
    assert len(list((tmp_path / "out").glob("seed0_*.png"))) == 3
    # the same seeded sample: `translate eval` on the best checkpoint reproduces the logged FID
    from translate.evaluation.sample_eval import evaluate_samples

    r = evaluate_samples("fid", str(best_dir(run)), str(data), features="pixels", size=8, num=10, num_real=10, seed=3)
    assert r["metrics"]["fid"]["fid"] == pytest.approx(best["value"], rel=1e-4)
    # resuming keeps the best value (only a better one replaces it)
    train(TrainArgs(task="dcgan", data=str(data), steps=8, seed=3, overrides=[*TINY_DCGAN, *evals]), resume=str(run))
    rows = _rows(run, "eval/fid")
    again = json.loads((best_dir(run) / BEST_FILE).read_text())
    low = min(rows, key=lambda s: rows[s]["eval/fid"])
    assert sorted(rows) == [2, 4, 6, 8] and again["step"] == low


def test_cyclegan_per_direction_cli(tmp_path, capsys) -> None:
    """A translation run: each direction's metrics on the test split (no val split) and their mean; bad names stop at once."""
    root = tmp_path / "unpaired"
    for name, n, seed in (("trainA", 3, 0), ("trainB", 5, 1), ("testA", 3, 2), ("testB", 4, 3)):
        make_folder(root / name, n=n, size=32, seed=seed)
    sets = [f"--set={s}" for s in TINY_CYCLEGAN]
    argv = ["train", "cyclegan", "--data", str(root), "--steps", "2", "--out", str(tmp_path / "r"), *sets,
            "--set", "train.eval_every=1", "--set", "train.eval_metrics=fid,1nn", "--set", "train.eval_size=8",
            "--set", "train.eval_best=1nn:lower"]
    assert run_cli(argv) == 0
    rows = _rows(tmp_path / "r", "eval/fid")
    assert sorted(rows) == [1, 2]
    r = rows[2]
    assert {"eval/AtoB/fid", "eval/BtoA/fid", "eval/AtoB/1nn", "eval/1nn"} <= set(r)
    assert r["eval/fid"] == pytest.approx((r["eval/AtoB/fid"] + r["eval/BtoA/fid"]) / 2)
    assert (best_dir(tmp_path / "r") / ckpt.GEN_FILE).is_file()
    bad = [str(tmp_path / "r2") if a == str(tmp_path / "r") else a for a in argv[:-1]] + ["train.eval_best=precision"]
    assert run_cli(bad) == 2
    assert "train.eval_best=precision: not a value of train.eval_metrics=fid,1nn" in capsys.readouterr().err
    assert not (tmp_path / "r2" / "checkpoints").exists()
