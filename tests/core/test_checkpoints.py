"""Run checkpoints on disk: a kill at any point of a write or replacement leaves one complete checkpoint."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import translate.nets  # noqa: F401  (registers the nets)
from translate import checkpoint as ckpt
from translate.core import checkpoints as runckpt
from translate.errors import CheckpointError
from translate.registry import GENERATORS


class Killed(BaseException):
    """Stands in for SIGKILL: the writer stops dead at this point, leaving the disk as it is."""


def _gen():
    net = GENERATORS.build("unet", num_downs=5, ngf=4)
    net.translate_spec = {"arch": "unet", "options": {"num_downs": 5, "ngf": 4}}
    return net


def _write(run, step, version, net, keep=False):
    state = {"step": step, "epoch": version, "batch_in_epoch": 0, "nets": {}, "optim": {}, "sched": {}, "rng": []}
    write = lambda p: ckpt.save_generators(p, {"G": net}, task="pix2pix", config=None)  # noqa: E731
    return runckpt.write_run_checkpoint(run, step, write, state, keep=keep)


def _version(d) -> int:
    return runckpt.load_checkpoint(d)["epoch"]


KILL_POINTS = ["before-aside", "aside-done", "new-in", "latest-done"]


@pytest.mark.parametrize("point", KILL_POINTS)
def test_replacing_a_step_leaves_old_or_new_complete_at_every_kill_point(tmp_path, monkeypatch, point):
    """The issue's case: re-saving step 2 (the only checkpoint) and killed inside the replacement."""
    run, net = tmp_path / "run", _gen()
    _write(run, 2, version=1, net=net)
    real_replace, calls = os.replace, []

    def replace(src, dst):  # renames in checkpoints/, in order: step_2 -> aside, tmp -> step_2, LATEST tmp -> LATEST
        if Path(dst).parent.name != "checkpoints":  # the generator file's own rename inside the temporary folder
            return real_replace(src, dst)
        calls.append(dst)
        if point == "before-aside" and len(calls) == 1:
            raise Killed
        real_replace(src, dst)
        if (point, len(calls)) in {("aside-done", 1), ("new-in", 2), ("latest-done", 3)}:
            raise Killed

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(Killed):
        _write(run, 2, version=2, net=net)
    monkeypatch.setattr(os, "replace", real_replace)

    found = ckpt.checkpoint_candidates(run)
    assert len(found) == 1 and _version(found[0]) in (1, 2)  # --resume finds a complete one, even before any repair
    notes = runckpt.recover(run)
    assert notes  # something was left to repair at every point
    d, state, skipped = runckpt.choose_for_resume(run)
    assert d.name == "step_00000002" and state["epoch"] == (1 if point in ("before-aside", "aside-done") else 2) and not skipped
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == ["LATEST", "step_00000002"]


def test_leftovers_of_a_live_writer_are_left_alone(tmp_path):
    run = tmp_path / "run"
    _write(run, 1, version=1, net=_gen())
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        live = run / "checkpoints" / f".tmp-step_00000002-{child.pid}"
        dead = run / "checkpoints" / ".tmp-step_00000002-999999999"
        live.mkdir()
        dead.mkdir()
        stray = [run / "checkpoints" / ".LATEST.tmp-999999999", run / ".config.yaml.tmp-999999999"]
        for f in stray:
            f.write_text("cut")
        assert runckpt.recover(run) == ["removed .tmp-step_00000002-999999999 (left by a cut-off save)"]
        assert live.is_dir() and not dead.exists() and not any(f.exists() for f in stray)
    finally:
        child.kill()
        child.wait()


def test_resume_skips_a_broken_newest_checkpoint_with_a_warning(tmp_path):
    run, net = tmp_path / "run", _gen()
    _write(run, 1, version=1, net=net, keep=True)
    newest = _write(run, 2, version=2, net=net)
    data = (newest / ckpt.STATE_FILE).read_bytes()
    (newest / ckpt.STATE_FILE).write_bytes(data[: len(data) // 2])  # truncated by a full disk
    d, state, skipped = runckpt.choose_for_resume(run)
    assert d.name == "step_00000001" and state["epoch"] == 1
    assert len(skipped) == 1 and "skipped broken checkpoint step_00000002" in skipped[0] and "state.pt" in skipped[0]
    (d / ckpt.GEN_FILE).write_bytes(b"")
    with pytest.raises(CheckpointError, match=r"nothing to resume .*2 broken"):
        runckpt.choose_for_resume(run)


@pytest.mark.parametrize("content, message", [
    (b"", "unreadable train state (empty file)"),
    (b"\x00" * 10, "unreadable train state"),
    (None, "not a gan-translate train state (missing step"),
])
def test_bad_state_files_are_one_line_errors(tmp_path, content, message):
    p = tmp_path / "state.pt"
    if content is None:
        torch.save({"w": torch.zeros(1)}, p)
    else:
        p.write_bytes(content)
    with pytest.raises(CheckpointError, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        ckpt.load_state(p)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_run_files_follow_the_umask(tmp_path, umask):
    """safetensors creates its file 0600; a checkpoint's files read like any file the user writes."""
    old = os.umask(umask)
    try:
        d = _write(tmp_path / "run", 1, version=1, net=_gen())
    finally:
        os.umask(old)
    for name in (ckpt.GEN_FILE, ckpt.STATE_FILE):
        assert stat.S_IMODE((d / name).stat().st_mode) == 0o666 & ~umask, name
