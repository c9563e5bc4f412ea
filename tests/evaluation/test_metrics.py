"""translate.evaluation.metrics: the registry every ``translate eval`` command goes through."""

from __future__ import annotations

import pytest

from tests.conftest import make_folder
from translate.errors import ConfigError
from translate.evaluation.metrics import calc_metric, metric_names


def test_registered_metrics() -> None:
    assert metric_names() == ["cycle", "domain-accuracy", "duplicates", "paired"]


def test_unknown_metric_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="unknown metric 'fid'.*available: cycle, domain-accuracy, duplicates, paired"):
        calc_metric("fid", target=".")


def test_calc_metric_runs_and_records(tmp_path) -> None:
    folder = make_folder(tmp_path / "imgs", n=6, size=16)
    r = calc_metric("duplicates", target=str(folder), threshold=0.05)
    assert r["metric"] == "duplicates" and r["source"] == "folder" and r["n_images"] == 6 and r["seconds"] >= 0
