"""translate.evaluation.metrics: the registry every ``translate eval`` command goes through."""

from __future__ import annotations

import pytest

from tests.conftest import make_folder
from translate.errors import ConfigError
from translate.evaluation.metrics import SAMPLE_METRICS, calc_metric, metric_names


def test_registered_metrics() -> None:
    assert metric_names() == sorted(["cycle", "domain-accuracy", "duplicates", "paired", *SAMPLE_METRICS])
    assert SAMPLE_METRICS == ("fid", "kid", "is", "mode-score", "pr", "dc", "mmd", "1nn", "swd")


def test_unknown_metric_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="unknown metric 'fidd'.*available: 1nn, cycle, dc, domain-accuracy, duplicates, fid"):
        calc_metric("fidd", target=".")


def test_calc_metric_runs_and_records(tmp_path) -> None:
    folder = make_folder(tmp_path / "imgs", n=6, size=16)
    r = calc_metric("duplicates", target=str(folder), threshold=0.05)
    assert r["metric"] == "duplicates" and r["source"] == "folder" and r["n_images"] == 6 and r["seconds"] >= 0
