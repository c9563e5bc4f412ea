"""Two-process training under torchrun (gloo, CPU): replicas stay identical."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.mark.slow
def test_two_ranks_keep_identical_parameters(aligned_dir, tmp_path):
    worker = Path(__file__).with_name("ddp_worker.py")
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
           str(worker), str(aligned_dir), str(tmp_path)]
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    r0, r1 = (json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1))
    assert r0["world"] == r1["world"] == 2
    assert r0["params"] == r1["params"]  # every net, parameters and buffers, bit-identical
    assert all(r0["grads"].values())  # both G and D were trained
    # rank 0 alone wrote the run folder
    assert (tmp_path / "run" / "checkpoints" / "LATEST").read_text() == "step_00000003"
    assert len([line for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines() if '"loss_G"' in line]) == 3
