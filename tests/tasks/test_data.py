"""translate/tasks/data.py: the layout a task reads a folder with, and the option named when it cannot.

Issue 13 item 7: top-level ``A/`` + ``B/`` was refused by pix2pix and CycleGAN ("found 'single'"),
and StarGAN's default recipe on one folder per domain said "cannot read the attribute table".
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import TINY_PIX2PIX, make_folder, run_cli
from tests.tasks.test_cyclegan import TINY_CYCLEGAN
from tests.tasks.test_stargan import TINY_STARGAN
from translate.errors import InputError
from translate.registry import TASKS
from translate.tasks.data import build_dataset, task_layout
from translate.tasks.launch import TrainArgs, build_config


def _ab(root: Path, paired: bool) -> Path:
    """``root/A/*.png`` + ``root/B/*.png`` (same names when ``paired``), no split folder."""
    rng = np.random.default_rng(0)
    for side in "AB":
        (root / side).mkdir(parents=True)
        for i in range(3):
            name = f"{i}.png" if paired else f"{side.lower()}{i}.png"
            Image.fromarray(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)).save(root / side / name)
    return root


def _domains(root: Path) -> Path:
    for i, name in enumerate(("red", "green", "blue")):
        make_folder(root / name, n=2, size=32, seed=i)
    return root


def _cfg(task: str, data: Path, *extra: str, **kw):
    return build_config(TrainArgs(task=task, data=str(data), overrides=list(extra), **kw))


def _allowed(task: str) -> tuple[str, ...]:
    return TASKS.get(task).layouts


@pytest.mark.parametrize("paired", [True, False])
def test_top_level_a_b_is_folders_for_pix2pix_and_unpaired_for_cyclegan(tmp_path, paired):
    root = _ab(tmp_path / "ab", paired)
    cyc = _cfg("cyclegan", root)
    assert task_layout(cyc, _allowed("cyclegan")) == "unpaired"
    ds = build_dataset(cyc, "train", train=True, allowed=_allowed("cyclegan"))
    assert len(ds) == 3 and "/A/" in ds[0]["A_path"] and "/B/" in ds[0]["B_path"]
    pix = _cfg("pix2pix", root)
    assert task_layout(pix, _allowed("pix2pix")) == "folders"
    if paired:
        ds = build_dataset(pix, "train", train=True, allowed=_allowed("pix2pix"))
        assert [Path(p).name for p in (ds[0]["A_path"], ds[0]["B_path"])] == ["0.png", "0.png"]
    else:  # names that do not match: the paired reader says so
        with pytest.raises(InputError, match="A/ and B/ do not match by file name"):
            build_dataset(pix, "train", train=True, allowed=_allowed("pix2pix"))


def test_split_folders_with_a_b_are_unpaired_for_cyclegan(tmp_path):
    root = tmp_path / "split"
    _ab(root / "train", paired=True)
    _ab(root / "test", paired=False)
    cyc = _cfg("cyclegan", root)
    assert len(build_dataset(cyc, "test", train=False, allowed=_allowed("cyclegan"))) == 3


def test_photos_for_pix2pix_name_derive(tmp_path):
    root = make_folder(tmp_path / "photos", n=2)
    with pytest.raises(InputError) as e:
        task_layout(_cfg("pix2pix", root), _allowed("pix2pix"))
    msg = str(e.value)
    assert msg.startswith(str(root)) and "this folder looks like single (" in msg and "--derive NAME (" in msg
    assert "colorization" in msg and "\n" not in msg


def test_stargan_default_recipe_on_domain_folders_names_the_recipe(tmp_path):
    root = _domains(tmp_path / "dom")
    with pytest.raises(InputError) as e:
        TASKS.build("stargan", _cfg("stargan", root))
    msg = str(e.value)
    assert "attribute table not found" in msg and "looks like domains (" in msg and "--recipe rafd" in msg
    # the named fix works: domains from the folder names
    task = TASKS.build("stargan", _cfg("stargan", root, recipe="rafd", size=16))
    assert task.domains == ["blue", "green", "red"] and task.mode == "single"
    # --layout domains alone keeps the recipe's CelebA attribute names: the recipe is named again
    with pytest.raises(InputError, match=r"no domain folder 'Black_Hair'.*use --recipe digits or --recipe rafd"):
        TASKS.build("stargan", _cfg("stargan", root, layout="domains"))


def test_explicit_layout_that_does_not_fit_names_the_one_that_does(tmp_path):
    root = _ab(tmp_path / "ab", paired=True)
    with pytest.raises(InputError, match=r"use --layout folders$"):
        build_dataset(_cfg("pix2pix", root, layout="aligned"), "train", train=True, allowed=_allowed("pix2pix"))


@pytest.mark.parametrize("task, make, recipe, tiny", [
    ("pix2pix", lambda p: _ab(p, True), None, TINY_PIX2PIX),
    ("cyclegan", lambda p: _ab(p, False), None, TINY_CYCLEGAN),
    ("stargan", _domains, "rafd", TINY_STARGAN),
])
def test_cli_trains_on_the_common_layouts(tmp_path, task, make, recipe, tiny):
    root = make(tmp_path / "data")
    argv = ["train", task, "--data", str(root), "--steps", "1", "--out", str(tmp_path / "run")]
    argv += ["--recipe", recipe] if recipe else []
    assert run_cli(argv + [a for o in tiny for a in ("--set", o)]) == 0
    assert (tmp_path / "run" / "config.yaml").is_file()


def test_cli_stargan_default_recipe_one_line_exit_2(tmp_path, capsys):
    root = _domains(tmp_path / "dom")
    assert run_cli(["train", "stargan", "--data", str(root), "--steps", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--recipe rafd" in err and str(root) in err
