"""Toy runs in fresh processes with pinned CPU kernels: the same seed gives the same figures, run after run."""

import os

from translate.evaluation.toy_runner import PINNED_ENV, pinned_environment, run_toys

JOB = {"loss": "rpgan", "steps": 150, "batch": 64, "n_eval": 500, "shared_settings": True}


def test_two_fresh_processes_give_identical_figures():
    a, b = run_toys([JOB, {**JOB, "seed": 1}], workers=2), run_toys([JOB])
    keys = ("modes_covered", "high_quality", "precision", "recall", "mode_counts")
    assert {k: a[0][k] for k in keys} == {k: b[0][k] for k in keys}
    assert a[0]["recall"] > 0 and (a[0]["precision"], a[0]["recall"]) != (a[1]["precision"], a[1]["recall"])  # the seed matters
    assert a[0]["cpu_env"] == {k: os.environ.get(k, v) for k, v in PINNED_ENV.items()}


def test_pinned_environment_keeps_user_values_and_restores(monkeypatch):
    monkeypatch.setenv("MKL_CBWR", "COMPATIBLE")
    monkeypatch.delenv("ATEN_CPU_CAPABILITY", raising=False)
    with pinned_environment() as env:
        assert env["MKL_CBWR"] == "COMPATIBLE" and os.environ["ATEN_CPU_CAPABILITY"] == "avx2"
    assert "ATEN_CPU_CAPABILITY" not in os.environ and os.environ["MKL_CBWR"] == "COMPATIBLE"
