"""Training-time sample metrics (``train.eval_metrics``) and the value ``checkpoints/best`` follows.

Registered as the engine's ``samples`` evaluator (``translate.core.eval_hook``). At each
evaluation the current generators (EMA shadows when EMA is on, in eval mode) are wrapped as
``Translator``s (``TorchBackend.for_module``) and measured exactly as ``translate eval`` measures a
saved model, on a sample fixed by ``seed``:

- latent tasks (dcgan, stylegan): ``train.eval_num`` samples from the fixed latents of seed
  ``cfg.seed`` vs a seeded subset of ``eval_num`` real images of the training folder (``data.root/<split>``),
  the figures ``translate eval M RUN --real FOLDER --num N --num-real N --seed SEED`` gives;
- translation tasks: the comparisons of ``translation_eval`` on the validation split (``val``,
  else ``test``, else the training split) of ``data.root``, at most ``eval_num`` sources each;
  every value is logged per comparison (``eval/AtoB/fid``) and as the mean over them (``eval/fid``).

Real features are computed once (and cached per file content). ``train.eval_best`` names a logged
value (``fid``, ``kid``, ``precision``, ... without ``eval/``), optionally with ``:lower`` or
``:higher``; without it the direction is ``higher`` for IS, mode score, precision, recall, density
and coverage and ``lower`` for the rest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..config import Config
from ..core.eval_hook import EVALUATORS, read_best
from ..data.checks import detect_layout
from ..errors import ConfigError, InputError
from ..inference.backend import TorchBackend
from ..runtime.modelinfo import info_from_meta
from ..runtime.translator import Translator
from .features import build_extractor, extract, files_features, folder_files
from .metrics import calc_metric
from .sample_eval import model_batches, parse_metrics
from .sample_metrics import FeatureSet
from .translation_eval import PLANS, evaluate_translations

HIGHER_IS_BETTER = {"is", "mode_score", "precision", "recall", "density", "coverage"}
DIRECTIONS = ("lower", "higher")


def parse_best(spec: str) -> tuple[str, str]:
    """``"fid"`` -> ("fid", "lower"); ``"recall:higher"`` -> ("recall", "higher")."""
    name, _, direction = spec.partition(":")
    direction = direction or ("higher" if name in HIGHER_IS_BETTER else "lower")
    if not name or direction not in DIRECTIONS:
        raise ConfigError(f"train.eval_best={spec!r}: expected VALUE[:lower|higher], e.g. fid or recall:higher")
    return name, direction


def _values(result: dict[str, Any]) -> dict[str, float]:
    """The numeric values of ``{metric: calc_metric result}`` by value name (``fid``, ``kid``, ...)."""
    return {k: float(v) for r in result.values() for k, v in r.items()
            if k != "seconds" and isinstance(v, float)}  # counts (pr_k, projections) are ints


def _translators(gens: dict[str, Any], meta: dict[str, dict[str, Any]], task: str, run_dir: Path) -> dict[str, Translator]:
    """Live generators as Translators: by direction (pix2pix, CycleGAN) or one ``""`` (latent, StarGAN)."""
    out: dict[str, Translator] = {}
    for name, net in gens.items():
        m = {"kind": getattr(net, "kind", "image"), "input_multiple": int(getattr(net, "input_multiple", 1)), **meta.get(name, {})}
        tr = Translator(TorchBackend.for_module(net, info_from_meta(str(run_dir), task, name, m)))
        out.setdefault(tr.info.direction if tr.info.kind == "image" else "", tr)
    return out


class TrainSampleEval:
    """The ``samples`` evaluator of ``translate.core.eval_hook`` (see the module docstring)."""

    def __init__(self, cfg: Config, task: Any, run_dir: Path) -> None:
        t = cfg.train
        self.cfg, self.task, self.run_dir = cfg, task, Path(run_dir)
        self.names = parse_metrics(t.eval_metrics)
        if t.eval_num < 2:
            raise ConfigError(f"train.eval_num: expected at least 2 samples, got {t.eval_num}")
        self.best_name, self.best_direction = parse_best(t.eval_best) if t.eval_best else ("", "lower")
        self.ex = build_extractor(t.eval_features, classifier_data=t.eval_classifier_data, weights=t.eval_weights,
                                  size=t.eval_size)
        self.latent = all(getattr(g, "kind", "image") == "latent" for g in task.generators().values())
        self.root = Path(cfg.data.root)
        self.split = "" if self.latent else self._split()
        self._real: FeatureSet | None = None
        prev = read_best(run_dir)  # a resumed run keeps its best
        self.best: dict[str, Any] = prev if prev and prev.get("value_name") == self.best_name else {}
        self.best_improved = False
        self._check_names()

    def _split(self) -> str:
        """The split translated: val, else test, else the training split (one with the training layout)."""
        train = self.cfg.data.split
        layout = detect_layout(self.root, train)
        if layout == "derived" or self.cfg.data.derive:
            layout = "single"
        if layout not in PLANS:
            raise ConfigError(f"train.eval_metrics: the {layout} layout has no translation targets; supported: {', '.join(PLANS.names())}")
        for split in (self.cfg.data.val_split, "test"):
            there = (self.root / split).is_dir() or any(self.root.glob(f"{split}[AB]"))
            if split and there and detect_layout(self.root, split) == layout:
                return split
        return train

    def _check_names(self) -> None:
        """Fail at the start, not at the first evaluation: the metrics run on tiny random features."""
        rng = np.random.default_rng(0)
        f = FeatureSet(rng.normal(size=(8, 4)), rng.normal(size=(8, 3)) if self.ex.name != "pixels" else None)
        g = FeatureSet(rng.normal(size=(8, 4)) + 1, None if f.logits is None else rng.normal(size=(8, 3)))
        values = _values({n: calc_metric(n, real=f, fake=g) for n in self.names})
        if self.best_name and self.best_name not in values:
            raise ConfigError(f"train.eval_best={self.best_name}: not a value of train.eval_metrics={self.cfg.train.eval_metrics} "
                              f"(values: {', '.join(values)})")

    def _real_features(self) -> FeatureSet:
        if self._real is None:
            folder = self.root / self.cfg.data.split if (self.root / self.cfg.data.split).is_dir() else self.root
            f, lg, _ = files_features(self.ex, folder_files(str(folder), self.cfg.train.eval_num, self.cfg.seed))  # as eval --num-real
            self._real = FeatureSet(f, lg)
        return self._real

    def __call__(self, step: int, gens: dict[str, Any]) -> dict[str, float]:
        t = self.cfg.train
        by_dir = _translators(gens, self.task.generator_meta(), self.cfg.task, self.run_dir)
        if self.latent:
            tr = next(iter(by_dir.values()))
            fake = FeatureSet(*extract(self.ex, model_batches(tr, t.eval_num, self.cfg.seed, self.ex.size)))
            values = _values({n: calc_metric(n, real=self._real_features(), fake=fake, seed=self.cfg.seed) for n in self.names})
            out = {f"eval/{k}": v for k, v in values.items()}
        else:
            try:
                r = evaluate_translations(self.names, str(self.run_dir), by_dir, str(self.root), self.ex, split=self.split,
                                          num=t.eval_num, num_real=t.eval_num, seed=self.cfg.seed)
            except InputError as e:
                raise ConfigError(f"train.eval_metrics: {e}") from None
            per = {c: _values(v["metrics"]) for c, v in r["comparisons"].items()}
            out = {f"eval/{c}/{k}": v for c, vals in per.items() for k, v in vals.items()}
            values = {k: float(np.mean([vals[k] for vals in per.values()])) for k in next(iter(per.values()))}
            out.update({f"eval/{k}": v for k, v in values.items()})
        self._update_best(step, values)
        return out

    def _update_best(self, step: int, values: dict[str, float]) -> None:
        self.best_improved = False
        if not self.best_name:
            return
        v = values[self.best_name]
        old = self.best.get("value")
        better = old is None or (v < old if self.best_direction == "lower" else v > old)
        if better and np.isfinite(v):
            self.best = {"step": step, "value_name": self.best_name, "value": v, "direction": self.best_direction,
                         "metrics": self.cfg.train.eval_metrics, "features": self.ex.name, "num": self.cfg.train.eval_num}
            self.best_improved = True


EVALUATORS.add("samples", TrainSampleEval)
