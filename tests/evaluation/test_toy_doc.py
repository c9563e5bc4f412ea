"""docs/objectives.md's toy table: generated from toy_results.json, current with the settings, and reproducible.

Regenerate with ``translate bench toy --all --write-doc docs/objectives.md --jobs 2`` (about 30 CPU
minutes); the slow test re-runs a reduced subset at the doc's budget and wants the same figures.
"""

from pathlib import Path

import pytest

from translate.core.losses import objective_names
from translate.core.objective_settings import settings_for
from translate.evaluation.toy_doc import END, START, collect, doc_jobs, read_results, render_table, write_doc
from translate.evaluation.toy_runner import run_toys

DOC = Path(__file__).resolve().parents[2] / "docs" / "objectives.md"
SUBSET = ("ralsgan", "nonsaturating")  # one plain objective, one with a penalty (R1); 1 D step per G step: cheap


def test_doc_table_is_rendered_from_the_results_of_every_objective():
    data = read_results(DOC)
    text = DOC.read_text(encoding="utf-8")
    assert f"{START}\n{render_table(data)}\n{END}" in text
    assert list(data["objectives"]) == objective_names()
    for name, entry in data["objectives"].items():
        # the figures were measured at the settings the code has now (else: regenerate)
        toy = settings_for(name).for_toy()
        assert entry["own_settings"] == {**toy.overrides(), "source": toy.source}, name
        assert (DOC.parent / "img" / "toy" / f"{name}.png").is_file()


def test_every_objective_covers_six_modes_or_the_doc_says_why():
    data = read_results(DOC)
    text = DOC.read_text(encoding="utf-8").split(END, 1)[1]
    for name, entry in data["objectives"].items():
        if entry["own"]["modes_covered"] < 6:
            assert f"`{name}`" in text, f"{name}: {entry['own']['modes_covered']} modes and no word on why in the doc"


def test_write_doc_replaces_only_the_marked_part(tmp_path):
    doc = tmp_path / "d.md"
    doc.write_text(f"head\n{START}\nold\n{END}\ntail\n")
    data = {"steps": 10, "seed": 0, "cpu_env": {"MKL_CBWR": "AVX2"}, "objectives": {"hinge": {
        "own": {"modes_covered": 8, "n_modes": 8, "high_quality": 0.5, "precision": 0.9, "recall": 0.8, "diverged_at": None},
        "shared": {"modes_covered": 1, "n_modes": 8, "high_quality": 0.9, "precision": 0.9, "recall": 0.1, "diverged_at": 7}}}}
    write_doc(doc, data)
    text = doc.read_text()
    assert text.startswith("head\n") and text.endswith(f"{END}\ntail\n") and "old" not in text
    assert "| hinge | " in text and "| **8** | 50.0 % | 0.90 | 0.80 | 1 (diverged at 7) | 90.0 % |" in text
    assert read_results(doc) == data
    with pytest.raises(Exception, match="markers"):
        write_doc(tmp_path / "none.md", data)


@pytest.mark.slow
def test_doc_figures_still_hold_for_a_subset():
    data = read_results(DOC)
    jobs = [j for j in doc_jobs(list(SUBSET), data["steps"], data["seed"]) if not j["shared_settings"]]
    fresh = collect(jobs, run_toys(jobs, workers=2))
    for name in SUBSET:
        got, want = fresh["objectives"][name]["own"], data["objectives"][name]["own"]
        for key in ("modes_covered", "high_quality", "precision", "recall", "diverged_at"):
            assert got[key] == want[key], (name, key, got[key], want[key])
