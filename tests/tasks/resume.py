"""Shared checks of the task tests: a run resumed mid-way must match the uninterrupted run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

import numpy as np
from safetensors.torch import load_file
from torch import Tensor


def metrics(run: Path, key: str = "loss_G") -> dict[int, dict]:
    """``metrics.jsonl`` rows holding ``key``, by step."""
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    return {r["step"]: r for r in rows if key in r}


def generator_weights(run: Path, step: int) -> dict[str, Tensor]:
    """The generator tensors of the run's checkpoint at ``step``."""
    return load_file(str(run / f"checkpoints/step_{step:08d}/generator.safetensors"))


def assert_same_losses(a: dict[int, dict], b: dict[int, dict], keys: Iterable[str], steps: Iterable[int] = (4, 5, 6)) -> None:
    """Every logged value in ``keys`` is equal in both runs at each of ``steps``."""
    for step in steps:
        for k in keys:
            assert a[step][k] == b[step][k], (step, k, a[step][k], b[step][k])


def assert_same_weights(full: Path, part: Path, step: int = 6) -> dict[str, Tensor]:
    """Both runs' generators at ``step`` are identical; returns the uninterrupted run's tensors."""
    wa, wb = generator_weights(full, step), generator_weights(part, step)
    assert wa.keys() == wb.keys() and all(np.array_equal(wa[k].numpy(), wb[k].numpy()) for k in wa)
    return wa


def assert_resumed_like(full: Path, part: Path, keys: Iterable[str], key: str = "loss_G") -> tuple[dict, dict, dict]:
    """A 6-step run resumed after step 3 logs steps 1-6, equals ``full`` at steps 4-6 and ends with its weights."""
    a, b = metrics(full, key), metrics(part, key)
    assert sorted(b) == [1, 2, 3, 4, 5, 6]
    assert_same_losses(a, b, keys)
    return a, b, assert_same_weights(full, part)


def recipe_round_trip(run_cli, task: str, recipe: str, data: Path, tmp: Path, sets: list[str], image: Path,
                      direction: str | None = None) -> Path:
    """``translate train TASK --recipe RECIPE`` 2 steps from the CLI, resumed to 3; predict; export to ONNX
    (the exporter's own parity check at two sizes) and the ONNX prediction within 1 level of torch's.
    Returns the run folder."""
    from PIL import Image

    opts = [a for o in sets for a in ("--set", o)]
    run = tmp / "run"
    assert run_cli(["train", task, "--recipe", recipe, "--data", str(data), "--steps", "2", "--out", str(run), *opts]) == 0
    assert (run / "checkpoints" / "LATEST").read_text() == "step_00000002"
    assert run_cli(["train", task, "--resume", str(run), "--steps", "3"]) == 0
    assert (run / "checkpoints" / "LATEST").read_text() == "step_00000003"
    assert sorted(metrics(run)) == [1, 2, 3]
    onnx_file = tmp / "model.onnx"
    pick = ["--direction", direction] if direction else []  # CycleGAN: which generator
    assert run_cli(["export", str(run), *pick, "--out", str(onnx_file)]) == 0
    outs = {}
    for name, model in (("torch", run), ("onnx", onnx_file)):
        assert run_cli(["predict", str(model), str(image), *(pick if name == "torch" else []), "--out", str(tmp / name)]) == 0
        outs[name] = np.asarray(Image.open(tmp / name / f"{image.stem}.png"), np.int16)
    assert outs["torch"].shape == outs["onnx"].shape and np.abs(outs["torch"] - outs["onnx"]).max() <= 1
    return run
