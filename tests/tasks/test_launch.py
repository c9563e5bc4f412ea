"""translate/launch.py: how recipe, --config file, command-line shortcuts and --set layer."""

from __future__ import annotations

from pathlib import Path

from translate.tasks.launch import TrainArgs, build_config


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
