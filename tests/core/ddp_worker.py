"""Worker for test_distributed: trains tiny pix2pix under torchrun, writes a per-rank digest."""

import hashlib
import json
import os
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.conftest import TINY_PIX2PIX  # noqa: E402
from translate.tasks.launch import TrainArgs, build_config, engine_for  # noqa: E402


def digest(net: torch.nn.Module) -> str:
    h = hashlib.sha256()
    for name, t in sorted(net.state_dict().items()):
        h.update(name.encode())
        h.update(t.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def main() -> None:
    data, out = sys.argv[1], Path(sys.argv[2])
    cfg = build_config(TrainArgs(task="pix2pix", data=data, steps=3, device="cpu", overrides=[*TINY_PIX2PIX, "train.latest_every=0"]))
    eng = engine_for(cfg, out / "run")
    eng.fit()
    rank = int(os.environ["RANK"])
    params = {k: digest(v) for k, v in eng.task.nets.items()}
    grads_seen = {k: any(p.grad is not None for p in v.parameters()) for k, v in eng.task.nets.items()}
    (out / f"rank{rank}.json").write_text(json.dumps({"params": params, "grads": grads_seen, "world": eng.dist.world}))


if __name__ == "__main__":
    main()
