"""DataLoader workers: SIGTERM to the whole process group saves an exit checkpoint; workers never outlive the run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, TINY_PIX2PIX, group_members, wait_gone

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; PR_SET_PDEATHSIG is Linux")


def start_run(data: Path, run: Path, steps: int = 500, workers: int = 2, env: dict | None = None) -> subprocess.Popen:
    """``translate train`` in its own process group (as a shell job, Slurm step or systemd unit runs it)."""
    sets = [a for o in [*TINY_PIX2PIX, f"data.num_workers={workers}"] for a in ("--set", o)]
    cmd = [sys.executable, "-m", "translate", "train", "pix2pix", "--data", str(data), "--steps", str(steps), "--seed", "3",
           "--out", str(run), *sets]
    return subprocess.Popen(cmd, env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})}, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(path: Path, proc: subprocess.Popen, seconds: float = 180) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline and not path.exists():
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    assert path.exists(), f"{path} did not appear"


def test_sigterm_to_the_group_saves_an_exit_checkpoint_without_a_traceback(aligned_dir, tmp_path):
    run = tmp_path / "run"
    proc = start_run(aligned_dir, run)
    wait_for(run / "checkpoints" / "step_00000002", proc)
    os.killpg(proc.pid, signal.SIGTERM)  # what timeout, Slurm and systemd send: main and workers alike
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "Traceback" not in err and "killed by signal" not in err, err
    latest = (run / "checkpoints" / "LATEST").read_text()
    step = int(latest.split("_")[1])
    assert 2 <= step < 500 and f"SIGTERM: stopped at step {step} with a checkpoint" in out + err
    assert wait_gone(proc.pid, 10) == []


def test_workers_die_with_a_killed_main_process(aligned_dir, tmp_path):
    run = tmp_path / "run"
    proc = start_run(aligned_dir, run)
    wait_for(run / "checkpoints" / "step_00000001", proc)
    workers = [p for p in group_members(proc.pid) if p != proc.pid]
    assert len(workers) == 2, workers
    os.kill(proc.pid, signal.SIGKILL)  # the main process only: kill -9, the OOM killer
    proc.communicate(timeout=60)
    assert wait_gone(proc.pid, 3) == []  # PR_SET_PDEATHSIG: the kernel kills them at once


def test_worker_ignores_sigterm_from_others_and_obeys_its_parent(tmp_path):
    """The worker-side rules alone: group SIGTERM/SIGINT from elsewhere ignored, the parent's SIGTERM ends it."""
    code = (
        "import os, signal, sys, time\n"
        "from translate.data.workers import WorkerInit\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    init = WorkerInit(); init.parent = os.getppid(); init(0)\n"
        "    print('ready', flush=True); time.sleep(60); os._exit(3)\n"
        "time.sleep(1.0)\n"
        "print(pid, flush=True)\n"
        "sys.stdin.readline()\n"  # the test sends signals from outside, then says go
        "os.kill(pid, signal.SIGTERM)\n"
        "_, status = os.waitpid(pid, 0)\n"
        "print('exit', os.waitstatus_to_exitcode(status), flush=True)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(REPO)},
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    child = int(proc.stdout.readline())
    os.kill(child, signal.SIGTERM)  # from this test process, not the parent: ignored
    os.kill(child, signal.SIGINT)
    time.sleep(0.5)
    assert Path(f"/proc/{child}").exists()
    proc.stdin.write("go\n")
    proc.stdin.flush()
    assert proc.stdout.readline().strip() == "exit 0"  # ended by its parent's SIGTERM (not the 60 s sleep)
    proc.wait(timeout=10)
