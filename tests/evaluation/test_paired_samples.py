"""``translate eval paired --metrics kid,fid,pr [--per-image]``: distribution metrics of outputs vs real targets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from tests.conftest import make_aligned, run_cli
from translate.evaluation.metrics import SAMPLE_METRICS, calc_metric
from translate.evaluation.paired_samples import build_scorer


def _batches(seed: int, n: int = 12, size: int = 16) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return list(torch.rand(n, 3, size, size, generator=g).mul(2).sub(1).split(4))  # [4, 3, S, S] in [-1, 1]


def test_scorer_tells_the_real_set_from_a_shifted_one() -> None:
    real = _batches(0)
    scorer = build_scorer(["kid", "fid", "pr"], real, calc_metric, SAMPLE_METRICS, "pixels", size=8)
    same = scorer(real)
    assert same["precision"] == 1.0 and same["recall"] == 1.0
    assert abs(same["fid"]) < 1e-3  # the unbiased KID of a set against itself is slightly negative
    other = scorer(_batches(1))  # same distribution, other samples
    darker = scorer([(b - 0.8).clamp(-1, 1) for b in _batches(1)])  # the same samples shifted towards black
    assert same["kid"] < other["kid"] < darker["kid"] and darker["fid"] > other["fid"]
    assert darker["precision"] < 1.0
    assert "12 real targets" in scorer.describe() and "pixels" in scorer.describe()


def test_eval_paired_metrics_and_per_image(p2p_run: Path, tmp_path: Path, capsys) -> None:
    pairs = make_aligned(tmp_path / "pairs", 5, 32, "val")
    capsys.readouterr()
    assert run_cli(["eval", "paired", str(p2p_run), "--data", str(pairs), "--metrics", "kid,fid,pr", "--per-image", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    ident = r["identity (output = input)"]
    for row in (r[str(p2p_run)], ident):
        assert {"L1", "PSNR", "SSIM", "kid", "kid_std", "fid", "precision", "recall"} <= set(row)
    assert "kid, fid, pr on pixels features" in r["distribution"] and "5 real targets" in r["distribution"]
    per = r["per_image"]
    assert len(per["files"]) == 5 and all(f.endswith(".png") for f in per["files"])
    for name, row in ((str(p2p_run), r[str(p2p_run)]), ("identity (output = input)", ident)):
        assert len(per[name]["PSNR"]) == 5
        assert sum(per[name]["PSNR"]) / 5 == pytest.approx(row["PSNR"]) and sum(per[name]["L1"]) / 5 == pytest.approx(row["L1"])
    # without the options the report is unchanged: no distribution metrics, no per-image lists
    assert run_cli(["eval", "paired", str(p2p_run), "--data", str(pairs), "--json"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert set(plain[str(p2p_run)]) == {"L1", "PSNR", "SSIM"} and "per_image" not in plain
    assert plain[str(p2p_run)]["PSNR"] == pytest.approx(r[str(p2p_run)]["PSNR"])


def test_eval_paired_unknown_metric_is_one_line(p2p_run: Path, tmp_path: Path, capsys) -> None:
    pairs = make_aligned(tmp_path / "pairs", 2, 32, "val")
    capsys.readouterr()
    assert run_cli(["eval", "paired", str(p2p_run), "--data", str(pairs), "--metrics", "kid,nope"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "unknown sample metric 'nope'" in err
