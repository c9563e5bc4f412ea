"""The crash test (issue 13): a tiny run killed 20 times at random moments ends exactly as an uninterrupted one.

Kinds of kill, 5 each, in a seeded random order and at random moments: SIGKILL to the process group,
SIGKILL to the main process only (its DataLoader worker must die with it), SIGTERM to the group
(what timeout/Slurm/systemd send: an exit checkpoint, exit 143), and a kill inside a checkpoint
replacement (SIGTERM right after the resume makes the run re-save the step it resumed, the
``TRANSLATE_CKPT_PAUSE`` hook holds the window between the renames open, SIGKILL lands in it).
After every kill: no process of the run is left, no checkpoint that existed before is lost (the
newest and every periodic one), and the next resume starts from the newest loadable checkpoint.
At the end the losses of every step and the final weights equal an uninterrupted run's.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, TINY_PIX2PIX, group_members, wait_gone
from tests.tasks.resume import assert_same_losses, assert_same_weights, metrics
from translate import checkpoint as ckpt
from translate.core import checkpoints as runckpt
from translate.errors import CheckpointError

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")]

STEPS = 40
OPTS = [*TINY_PIX2PIX, "data.num_workers=1", "train.sample_every=0", "train.ckpt_every=8",
        "schedule.kind=linear", "schedule.per=step"]
ENV = {"PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1", runckpt.PAUSE_ENV: "0.3"}
KINDS = ["kill-group", "kill-main", "term-group", "in-replacement"]
LOSS_KEYS = ("loss_D", "loss_G", "G_L1", "G_GAN", "D_real", "D_fake")


class Run:
    """One ``translate train`` process in its own process group, its output read as it comes."""

    def __init__(self, argv: list[str]) -> None:
        cmd = [sys.executable, "-m", "translate", "train", "pix2pix", *argv, *[a for o in OPTS for a in ("--set", o)]]
        self.proc = subprocess.Popen(cmd, env={**os.environ, **ENV}, start_new_session=True, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines: list[str] = []
        self.started = threading.Event()  # signal handlers are installed from this line on
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)
            if line.startswith("training from step"):
                self.started.set()

    def finish(self, timeout: float = 120) -> int:
        rc = self.proc.wait(timeout=timeout)
        self.reader.join(timeout=10)
        return rc

    @property
    def output(self) -> str:
        return "".join(self.lines)


def loadable_steps(run: Path) -> dict[int, Path]:
    """Step -> folder of every checkpoint that loads, as a resume would see them (read-only)."""
    out = {}
    for d in ckpt.checkpoint_candidates(run):
        try:
            runckpt.load_checkpoint(d)
        except CheckpointError:
            continue
        out[ckpt.parse_step_dir(d.name)[0]] = d
    return out


def resume_target(run: Path) -> int:
    """The step the next resume must start from: the first loadable candidate (LATEST's, else the newest)."""
    for d in ckpt.checkpoint_candidates(run):
        try:
            runckpt.load_checkpoint(d)
        except CheckpointError:
            continue
        return ckpt.parse_step_dir(d.name)[0]
    return 0


def present_steps(run: Path) -> set[int]:
    """Steps of the complete checkpoints on disk now (a live writer may be renaming: no loading)."""
    return {ckpt.parse_step_dir(d.name)[0] for d in ckpt.checkpoint_candidates(run)}


def test_twenty_random_kills_end_like_an_uninterrupted_run(aligned_dir, tmp_path):
    common = ["--data", str(aligned_dir), "--steps", str(STEPS), "--seed", "3"]
    full = tmp_path / "full"
    ref = Run([*common, "--out", str(full)])
    assert ref.finish() == 0, ref.output

    run = tmp_path / "killed"
    rnd = random.Random(13)
    kinds = KINDS * 5
    rnd.shuffle(kinds)
    kept: set[int] = set()  # periodic checkpoints seen so far: never to be lost
    expect_start, hits = 0, {k: 0 for k in KINDS}
    t0 = time.time()
    for i, kind in enumerate(kinds):
        p = Run([*common, "--out", str(run)] if i == 0 else ["--resume", str(run)])
        assert p.started.wait(120), p.output
        started = re.search(r"resumed from \S+ \(step (\d+),", p.output)
        assert (int(started.group(1)) if started else 0) == expect_start, (i, kind, expect_start, p.output)
        if kind == "in-replacement":
            os.killpg(p.proc.pid, signal.SIGTERM)  # stop at once: the exit checkpoint re-saves the resumed step
            deadline = time.time() + 60
            ckdir = run / "checkpoints"
            while p.proc.poll() is None and time.time() < deadline and not any(ckdir.glob(f"{ckpt.ASIDE_PREFIX}*")):
                time.sleep(0.005)
            before = present_steps(run)
            if p.proc.poll() is None:
                os.killpg(p.proc.pid, signal.SIGKILL)  # between "old renamed aside" and "new renamed in" (or just after)
                hits[kind] += 1
        else:
            time.sleep(rnd.uniform(0.0, 0.8))
            before = present_steps(run)
            if kind == "term-group":
                os.killpg(p.proc.pid, signal.SIGTERM)
            elif kind == "kill-group":
                os.killpg(p.proc.pid, signal.SIGKILL)
            else:
                os.kill(p.proc.pid, signal.SIGKILL)  # main only: the worker must not outlive it
        rc = p.finish()
        assert wait_gone(p.proc.pid, 5) == [], (i, kind, group_members(p.proc.pid))
        assert rc in (0, -signal.SIGKILL, 128 + signal.SIGTERM), (i, kind, rc, p.output)
        if kind == "term-group" and rc != 0:
            assert "SIGTERM: stopped at step" in p.output and "Traceback" not in p.output, p.output
            hits[kind] += 1
        elif kind != "in-replacement" and rc == -signal.SIGKILL:
            hits[kind] += 1
        after = loadable_steps(run)
        assert after, (i, kind, "no loadable checkpoint left")
        assert max(after) >= max(before, default=0), (i, kind, sorted(before), sorted(after))  # the newest survives
        assert kept <= set(after), (i, kind, sorted(kept), sorted(after))  # so does every periodic one
        kept |= {s for s, d in after.items() if (d / ckpt.KEPT_MARK).exists()}
        expect_start = resume_target(run)

    last = Run(["--resume", str(run)])
    assert last.finish() == 0, last.output
    assert wait_gone(last.proc.pid, 5) == []
    a, b = metrics(full), metrics(run)
    assert sorted(b) == list(range(1, STEPS + 1))
    assert_same_losses(a, b, LOSS_KEYS, range(1, STEPS + 1))  # every step, bit for bit
    assert_same_weights(full, run, STEPS)
    names = sorted(d.name for d in (run / "checkpoints").iterdir())
    assert names == ["LATEST", *(ckpt.step_dir_name(s) for s in range(8, STEPS + 1, 8))], (names, hits)  # no leftovers
    assert all(n >= 1 for n in hits.values()), hits  # every kind really happened (a loaded CPU lets some land after the end)
    print(f"20 kills in {time.time() - t0:.0f} s: {hits}")
