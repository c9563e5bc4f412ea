"""The engine's hook for training-time sample metrics and the ``checkpoints/best`` folder.

``train.eval_metrics`` ("fid,kid,pr") makes every evaluation (``train.eval_every`` and the end of
the run) also compute sample metrics of the current generators on a fixed seeded sample. The
metrics live higher up (``translate.evaluation.train_eval`` registers the evaluator here when it
is imported, as ``translate train`` does), so the core stays free of them: an evaluator is
``evaluator(step, generators) -> {"eval/<value>": float}`` and its ``best_improved`` says whether
the value named by ``train.eval_best`` improved at the last call.

``keep_best`` copies the checkpoint just written (generator file + train state) to
``checkpoints/best/`` with a ``best.json`` (step, value name, value, direction), atomically, so
``translate predict RUN/checkpoints/best`` and ``export`` load it like any checkpoint.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, Callable, Optional, Protocol

from ..config import Config
from ..errors import ConfigError
from ..registry import Registry

BEST_DIR = "best"
BEST_FILE = "best.json"


class SampleEvaluator(Protocol):
    """What the engine calls (see the module docstring)."""

    best_improved: bool
    best: dict[str, Any]

    def __call__(self, step: int, generators: dict[str, Any]) -> dict[str, float]: ...


EVALUATORS: Registry[Callable[..., SampleEvaluator]] = Registry("training-time evaluator")


def build_evaluator(cfg: Config, task: Any, run_dir: Path) -> Optional[SampleEvaluator]:
    """The sample-metric evaluator for ``cfg.train`` (None when ``train.eval_metrics`` is empty)."""
    t = cfg.train
    if not t.eval_metrics:
        if t.eval_best:
            raise ConfigError(f"train.eval_best={t.eval_best}: needs train.eval_metrics (e.g. --set train.eval_metrics=fid)")
        return None
    if "samples" not in EVALUATORS:
        raise ConfigError("train.eval_metrics: the sample-metric evaluator is not loaded; "
                          "import translate.evaluation.train_eval first (translate train does)")
    return EVALUATORS.get("samples")(cfg, task, run_dir)


def best_dir(run_dir: str | Path) -> Path:
    return Path(run_dir) / "checkpoints" / BEST_DIR


def read_best(run_dir: str | Path) -> Optional[dict[str, Any]]:
    """The facts of ``checkpoints/best`` (None when there is none or it is unreadable)."""
    try:
        return json.loads((best_dir(run_dir) / BEST_FILE).read_text())
    except (OSError, ValueError):
        return None


def keep_best(run_dir: str | Path, checkpoint: Path, facts: dict[str, Any]) -> Path:
    """Copy ``checkpoint`` (a ``checkpoints/step_N`` folder) to ``checkpoints/best`` with ``best.json``."""
    dest = best_dir(run_dir)
    tmp = dest.with_name(f".tmp-{BEST_DIR}-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(checkpoint, tmp)
    (tmp / BEST_FILE).write_text(json.dumps(facts, indent=2) + "\n")
    old = dest.with_name(f".old-{BEST_DIR}-{os.getpid()}")
    if dest.exists():
        os.replace(dest, old)
    os.replace(tmp, dest)
    shutil.rmtree(old, ignore_errors=True)
    return dest
