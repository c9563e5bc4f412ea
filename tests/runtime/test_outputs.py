"""Output planning of ``translate predict``: never over an input, never over another output, no silent ``_1``."""

from __future__ import annotations

from pathlib import Path

import pytest

from translate.errors import InputError
from translate.runtime.files import expand_inputs
from translate.runtime.outputs import plan_outputs


def _touch(*paths: Path) -> None:
    for p in paths:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")


def test_names_keep_the_stem_and_the_sub_folders(tmp_path: Path) -> None:
    _touch(tmp_path / "in" / "a.jpg", tmp_path / "in" / "sub" / "b.png")
    plan = plan_outputs(expand_inputs([tmp_path / "in"]), tmp_path / "out")
    assert [d.relative_to(tmp_path / "out").as_posix() for _, d in plan] == ["a.png", "sub/b.png"]


def test_inputs_sharing_a_stem_are_named_by_their_full_name_and_reported(tmp_path: Path) -> None:
    _touch(tmp_path / "in" / "cat.jpg", tmp_path / "in" / "cat.png", tmp_path / "in" / "dog.png")
    notes: list[str] = []
    plan = plan_outputs(expand_inputs([tmp_path / "in"]), tmp_path / "out", log=notes.append)
    assert {s.name: d.name for s, d in plan} == {"cat.jpg": "cat_jpg.png", "cat.png": "cat_png.png", "dog.png": "dog.png"}
    assert len(notes) == 1 and "cat.jpg, cat.png share the output name cat.png" in notes[0]
    assert not any("_1" in d.name for _, d in plan)


def test_two_arguments_writing_one_file_are_refused(tmp_path: Path) -> None:
    _touch(tmp_path / "a" / "x.png", tmp_path / "b" / "x.png")
    # the renamed names (x_png.png) clash again: refused, naming both inputs
    with pytest.raises(InputError, match=r"a/x\.png and .*b/x\.png would both be written to .*x_png\.png"):
        plan_outputs(expand_inputs([tmp_path / "a" / "x.png", tmp_path / "b" / "x.png"]), tmp_path / "out")


def test_the_same_file_twice_is_translated_once(tmp_path: Path) -> None:
    _touch(tmp_path / "in" / "a.png")
    plan = plan_outputs(expand_inputs([tmp_path / "in", str(tmp_path / "in" / "*.png")]), tmp_path / "out")
    assert len(plan) == 1


def test_out_folder_equal_to_the_input_folder_is_refused_unless_overwrite(tmp_path: Path) -> None:
    _touch(tmp_path / "in" / "cat.png", tmp_path / "in" / "x.jpg")
    with pytest.raises(InputError, match=r"--out .*in: would write over the input file .*cat\.png; .*--overwrite"):
        plan_outputs(expand_inputs([tmp_path / "in"]), tmp_path / "in")
    assert len(plan_outputs(expand_inputs([tmp_path / "in"]), tmp_path / "in", overwrite=True)) == 2


def test_existing_outputs_are_refused_unless_overwrite(tmp_path: Path) -> None:
    _touch(tmp_path / "in" / "a.jpg", tmp_path / "in" / "b.jpg", tmp_path / "out" / "a.png", tmp_path / "out" / "b.png")
    _touch(tmp_path / "out" / "unrelated.png")
    with pytest.raises(InputError, match=r"out/a\.png \(and 1 more\) already exists; .*--overwrite"):
        plan_outputs(expand_inputs([tmp_path / "in"]), tmp_path / "out")
    assert len(plan_outputs(expand_inputs([tmp_path / "in"]), tmp_path / "out", overwrite=True)) == 2
