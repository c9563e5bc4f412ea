"""translate.evaluation.bench_metrics: ``translate bench eval`` runs every sample metric once and reports its cost."""

from __future__ import annotations

from tests.conftest import run_cli
from translate.evaluation.bench_metrics import bench_eval
from translate.evaluation.metrics import SAMPLE_METRICS


def test_bench_eval_small(capsys) -> None:
    r = bench_eval(num=64, size=16, features="pixels")
    assert set(r["per_metric_seconds"]) == set(SAMPLE_METRICS) - {"is", "mode-score"}  # pixels has no logits
    assert r["num_real"] == r["num_fake"] == 64 and r["feature_dim"] == 768 and r["features_seconds"] >= 0
    assert 0.0 <= r["values"]["pr"]["precision"] <= 1.0 and r["values"]["fid"]["fid"] > 0 and r["peak_rss_mib"] > 0
    assert run_cli(["bench", "eval", "--num", "32", "--size", "8"]) == 0
    assert "all metrics" in capsys.readouterr().out
