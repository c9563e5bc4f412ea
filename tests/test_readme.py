"""The README's digits tour runs when copied in order (issue 13 item 11).

Every ```bash block of README.md that makes the bundled digits (``translate datasets digits``) is
run command by command, in order, in an empty folder, with the training and evaluation budgets cut
(``BUDGETS``: the options replaced or added) and nothing else changed. Before each command, every
path it reads must exist: made by an earlier command or shipped in the repository.
"""

from __future__ import annotations

import re
import shlex
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli

# command words -> options set to a tiny budget (replacing the README's value, or added)
BUDGETS: dict[tuple[str, ...], dict[str, str]] = {
    ("train",): {"--steps": "2"},
    ("eval", "domain-accuracy"): {"--epochs": "1", "--max-train": "200", "--max-test": "40"},
    ("eval", "duplicates"): {"--num": "64"},
}
DROPPED = {("train",): ("--epochs",)}  # options the budget replaces (--steps instead of --epochs)
FLAGS = {"--slerp", "--mix-grid", "--overwrite", "--aligned", "--json", "--all", "--fp16", "--retrain", "--amp", "--skip-bad"}


def digits_tour() -> list[str]:
    """The commands of the README's digits blocks, comments stripped, in order."""
    text = (REPO / "README.md").read_text()
    blocks = [b for b in re.findall(r"```bash\n(.*?)```", text, re.S) if "translate datasets digits" in b]
    lines = [ln.split("  #")[0].split(" # ")[0].strip() for b in blocks for ln in b.splitlines()]
    return [ln for ln in lines if ln.startswith("translate ")]


def _words(argv: list[str]) -> tuple[str, ...]:
    return tuple(argv[:2]) if argv[0] in ("eval", "datasets", "bench") else tuple(argv[:1])


def with_budget(argv: list[str]) -> list[str]:
    """``argv`` with the options of ``BUDGETS`` for its command set (replaced or appended)."""
    words = _words(argv)
    budget, dropped = BUDGETS.get(words, {}), DROPPED.get(words, ())
    out, i = [], 0
    while i < len(argv):
        if argv[i] in budget or argv[i] in dropped:
            i += 2
            continue
        out.append(argv[i])
        i += 1
    return out + [x for k, v in budget.items() for x in (k, v)]


def reads_and_writes(argv: list[str]) -> tuple[list[str], list[str]]:
    """(paths the command reads, paths it writes): positional arguments and --data/--reference values."""
    words = _words(argv)
    rest = argv[len(words):]
    positional, options, i = [], {}, 0
    while i < len(rest):
        if rest[i].startswith("--"):
            if rest[i] in FLAGS:
                i += 1
                continue
            options[rest[i]] = rest[i + 1]
            i += 2
        else:
            positional.append(rest[i])
            i += 1
    writes = [options[k] for k in ("--out",) if k in options]
    if words == ("datasets", "digits"):
        writes, positional = positional[:1], positional[1:]
    if words == ("train",):
        positional = positional[1:]  # train TASK: a name, not a path
    reads = positional + [options[k] for k in ("--data", "--reference", "--config") if k in options]
    return reads, writes


def test_tour_commands_parse():
    tour = digits_tour()
    assert len(tour) >= 12 and tour[0].startswith("translate datasets digits")
    reads, writes = reads_and_writes(shlex.split("predict runs/stargan data/d/test/3 --domain 7 --out o/"))
    assert reads == ["runs/stargan", "data/d/test/3"] and writes == ["o/"]
    assert with_budget(["train", "dcgan", "--data", "d", "--epochs", "5"]) == ["train", "dcgan", "--data", "d", "--steps", "2"]


@pytest.mark.slow
def test_readme_digits_tour_runs_in_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRANSLATE_CACHE", str(tmp_path / "cache"))
    for line in digits_tour():
        argv = shlex.split(line)[1:]
        reads, writes = reads_and_writes(argv)
        missing = [p for p in reads if not (Path(p).exists() or (REPO / p).exists())]
        assert not missing, f"README: `{line}` reads {missing}, which no earlier command makes"
        t = time.perf_counter()
        assert run_cli(with_budget(argv)) == 0, f"README: `{line}` failed"
        print(f"{time.perf_counter() - t:6.1f} s  {line}")
        for p in writes:
            assert Path(p).exists(), f"README: `{line}` did not write {p}"
