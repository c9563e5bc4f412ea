"""translate/tasks/launch.py: how recipe, --config file, shortcuts and --set layer; --resume targets, paths, bad options."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import TINY_PIX2PIX, make_aligned, run_cli
from tests.tasks.resume import metrics
from translate.config import load
from translate.tasks.launch import TrainArgs, build_config, train


def test_command_line_options_beat_the_config_file(tmp_path: Path) -> None:
    user = tmp_path / "user.yaml"
    user.write_text("train:\n  steps: 2000\n  batch_size: 7\noptim:\n  lr_g: 0.5\n")
    cfg = build_config(TrainArgs(task="pix2pix", config=str(user), steps=4))
    assert cfg.train.steps == 4  # --steps given: the file's 2000 loses
    assert cfg.train.batch_size == 7  # not given on the command line: the file's value holds
    assert cfg.optim.lr_g == 0.5  # the file beats the recipe


def test_set_beats_everything(tmp_path: Path) -> None:
    user = tmp_path / "user.yaml"
    user.write_text("train:\n  steps: 2000\n")
    cfg = build_config(TrainArgs(task="pix2pix", config=str(user), steps=4, overrides=["train.steps=9"]))
    assert cfg.train.steps == 9


# ----------------------------------------------------------------------------- resume (issue 13 item 9)

KEPT = [*TINY_PIX2PIX, "train.ckpt_every=1", "schedule.kind=constant"]  # every step kept: step_1..3


@pytest.fixture(scope="module")
def run3(tmp_path_factory) -> Path:
    """A 3-step pix2pix run started with a relative --data path, every step's checkpoint kept."""
    root = tmp_path_factory.mktemp("launch")
    make_aligned(root / "pairs", 4, 32, "train")
    old = os.getcwd()
    os.chdir(root)
    try:
        train(TrainArgs(task="pix2pix", data="pairs", steps=3, seed=3, overrides=KEPT), out="run")
    finally:
        os.chdir(old)
    return root / "run"


def _copy(run3: Path, tmp_path: Path) -> Path:
    shutil.copytree(run3.parent / "pairs", tmp_path / "pairs")
    run = shutil.copytree(run3, tmp_path / "run")
    cfg = (run / "config.yaml").read_text().replace(str(run3.parent / "pairs"), str(tmp_path / "pairs"))
    (run / "config.yaml").write_text(cfg)
    return run


def test_data_paths_are_stored_absolute(run3: Path) -> None:
    assert load(run3 / "config.yaml").data.root == str(run3.parent / "pairs")


def test_every_path_value_is_made_absolute(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    sets = ["data.attr_file=attrs.txt", "train.eval_classifier_data=digits", "train.eval_weights=~/w.pth"]
    cfg = build_config(TrainArgs(task="pix2pix", data="pairs", overrides=sets))
    assert (cfg.data.root, cfg.data.attr_file) == (str(tmp_path / "pairs"), str(tmp_path / "attrs.txt"))
    assert cfg.train.eval_classifier_data == str(tmp_path / "digits")
    assert cfg.train.eval_weights == os.path.expanduser("~/w.pth")
    assert build_config(TrainArgs(task="pix2pix")).train.eval_weights == ""  # unset stays unset


def test_resume_a_checkpoint_folder_from_another_directory(run3, tmp_path, monkeypatch):
    run = _copy(run3, tmp_path)
    monkeypatch.chdir(tmp_path / "pairs")  # anywhere but where the run was started
    train(TrainArgs(task="pix2pix", steps=4), resume=str(run / "checkpoints" / "step_00000002"))
    a, b = metrics(run3), metrics(run)
    assert sorted(b) == [1, 2, 3, 4] and b[3]["loss_G"] == a[3]["loss_G"]  # continued from step 2, exactly
    assert (run / "checkpoints" / "LATEST").read_text() == "step_00000004"


def test_missing_data_folder_suggests_data_and_data_overrides(run3, tmp_path, capsys):
    run = _copy(run3, tmp_path)
    moved = tmp_path / "moved"
    (tmp_path / "pairs").rename(moved)
    assert run_cli(["train", "pix2pix", "--resume", str(run)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and str(tmp_path / "pairs") in err and "--data DIR" in err, err
    assert run_cli(["train", "pix2pix", "--resume", str(run), "--data", str(moved), "--steps", "4"]) == 0
    assert load(run / "config.yaml").data.root == str(moved)
    assert (run / "checkpoints" / "step_00000004").is_dir()


def test_broken_newest_checkpoint_falls_back_with_a_warning(run3, tmp_path, capsys):
    run = _copy(run3, tmp_path)
    state = run / "checkpoints" / "step_00000003" / "state.pt"
    state.write_bytes(state.read_bytes()[:1000])  # truncated
    assert run_cli(["train", "pix2pix", "--resume", str(run), "--steps", "4"]) == 0
    out = capsys.readouterr()
    assert "skipped broken checkpoint step_00000003" in out.out + out.err
    assert metrics(run)[3]["loss_G"] == metrics(run3)[3]["loss_G"]  # step 3 trained again from step 2, exactly


def test_empty_state_file_is_a_one_line_error(run3, tmp_path, capsys):
    run = _copy(run3, tmp_path)
    for state in (run / "checkpoints").glob("step_*/state.pt"):
        state.write_bytes(b"")
    assert run_cli(["train", "pix2pix", "--resume", str(run / "checkpoints" / "step_00000003")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "state.pt: unreadable train state (empty file)" in err, err
    assert run_cli(["train", "pix2pix", "--resume", str(run)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "nothing to resume" in err and "3 broken" in err, err


@pytest.mark.parametrize("argv, message", [
    (["--batch", "0"], "--batch: must be at least 1, got 0"),
    (["--steps", "-5"], "--steps: must be at least 1, got -5"),
    (["--set", "train.batch_size=-1"], "config.train.batch_size: must be >= 1, got -1"),
    (["--set", "optim.lr_g=-1"], "config.optim.lr_g: must be >= 0, got -1"),
])
def test_bad_run_options_are_one_line_errors(argv, message, tmp_path, capsys):
    assert run_cli(["train", "pix2pix", "--data", str(tmp_path), *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and message in err, err
