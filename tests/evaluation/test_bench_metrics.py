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


def test_bench_scaling_fresh_process_per_n(capsys) -> None:
    """--scaling: one spawned process per N, so each peak RSS is that N's own; the dense-matrix yardstick grows as N^2."""
    from translate.evaluation.bench_metrics import bench_scaling

    r = bench_scaling([32, 64], size=8, features="pixels")
    a, b = r["rows"]
    assert (a["num"], b["num"]) == (32, 64) and r["feature_dim"] == 192
    assert 0 < a["setup_rss_mib"] <= a["features_rss_mib"] <= a["peak_rss_mib"]
    assert b["dense_1nn_matrix_mib"] == 4 * a["dense_1nn_matrix_mib"] == 4 * (2 * 32) ** 2 * 4 / 2**20
    assert set(a["per_metric_seconds"]) >= {"fid", "1nn"}
    assert run_cli(["bench", "eval", "--scaling", "16,x"]) == 2
    assert "--scaling '16,x'" in capsys.readouterr().err
