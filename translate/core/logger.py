"""Run logging: metrics.jsonl, TensorBoard scalars/images, a progress bar, sample grids.

Only rank 0 writes. ``metrics.jsonl`` holds one JSON object per logged step; on resume, lines
after the resumed step are dropped so the file reads as one uninterrupted run.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import torch
from torch import Tensor


def _truncate_jsonl(path: Path, after_step: int) -> None:
    if not path.is_file():
        return
    keep = []
    for line in path.read_text().splitlines():
        try:
            if json.loads(line).get("step", 0) <= after_step:
                keep.append(line)
        except json.JSONDecodeError:
            continue  # a line cut by a kill
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text("".join(k + "\n" for k in keep))
    os.replace(tmp, path)  # a kill while rewriting must not cut the earlier rows


class RunLogger:
    """Writes scalars and images for one run (no-op on ranks other than 0)."""

    def __init__(
        self, run_dir: Path, *, enabled: bool, tensorboard: bool, progress: bool, total: int, start: int
    ) -> None:
        self.run_dir = Path(run_dir)
        self.enabled = enabled
        self.writer = None
        self.bar = None
        self.metrics_path = self.run_dir / "metrics.jsonl"
        if not enabled:
            return
        (self.run_dir / "samples").mkdir(parents=True, exist_ok=True)
        _truncate_jsonl(self.metrics_path, start)
        if tensorboard:
            from torch.utils.tensorboard import SummaryWriter

            self.writer = SummaryWriter(str(self.run_dir / "tb"), purge_step=start + 1 if start else None)
        if progress:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, initial=start, unit="it", dynamic_ncols=True, smoothing=0.1)
        self._t0 = time.perf_counter()
        self._last_step = start

    def log(self, step: int, scalars: dict[str, float], epoch: int) -> None:
        """Record scalars for ``step`` (jsonl + TensorBoard + progress postfix)."""
        if not self.enabled:
            return
        now = time.perf_counter()
        rate = (step - self._last_step) / max(1e-9, now - self._t0)
        self._t0, self._last_step = now, step
        row = {"step": step, "epoch": epoch, **{k: _clean(v) for k, v in scalars.items()}, "it_per_s": round(rate, 4)}
        with open(self.metrics_path, "a") as f:
            f.write(json.dumps(row) + "\n")
        if self.writer is not None:
            for k, v in scalars.items():
                if isinstance(v, (int, float)) and math.isfinite(v):
                    self.writer.add_scalar(k, v, step)
        if self.bar is not None:
            short = {k: f"{v:.3g}" for k, v in scalars.items() if k.startswith(("loss", "D_", "G_")) and isinstance(v, float)}
            self.bar.set_postfix(short, refresh=False)

    def advance(self, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def image_grid(self, step: int, columns: list[Tensor], tag: str = "samples") -> Path | None:
        """Save a grid (rows = images, columns = input/output/...) as PNG and to TensorBoard."""
        if not self.enabled or not columns:
            return None
        from torchvision.utils import make_grid, save_image

        n = columns[0].shape[0]
        cols = [c.detach().float().cpu().clamp(-1, 1) for c in columns]
        rows = torch.stack(cols, dim=1).reshape(n * len(cols), *cols[0].shape[1:])  # [N*K, 3, H, W]
        grid = make_grid(rows, nrow=len(cols), padding=2, normalize=True, value_range=(-1, 1))
        path = self.run_dir / "samples" / f"step_{step:08d}.png"
        save_image(grid, path)
        if self.writer is not None:
            self.writer.add_image(tag, grid, step)
        return path

    def message(self, text: str, err: bool = False) -> None:
        """Print a line without breaking the progress bar (``err``: on stderr, keeping stdout for results)."""
        if not self.enabled:
            return
        stream = sys.stderr if err else sys.stdout
        if self.bar is not None:
            self.bar.write(text, file=stream)
        else:
            print(text, file=stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        if self.writer is not None:
            self.writer.flush()
            self.writer.close()


def _clean(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    return v
