"""The metric registry of ``translate eval``, after NVlabs stylegan3's ``metrics/metric_main.py``.

A metric is a function registered by name that takes keyword options and returns a JSON-ready dict;
``calc_metric(name, **options)`` runs one and records what ran and how long it took. The metric
modules stay independent of each other and of the command line:

| name | what | module |
|---|---|---|
| ``paired`` | L1 / PSNR / SSIM of translations against targets, with the identity baseline | ``paired.py`` |
| ``cycle`` | CycleGAN cycle-reconstruction L1 and translation change, with the identity baseline | ``cycle.py`` |
| ``domain-accuracy`` | translations judged by a classifier trained on the real domains | ``domain_accuracy.py`` |
| ``duplicates`` | birthday-paradox support estimate of a latent model's samples or a folder | ``duplicates.py`` |
| ``fid`` ``kid`` ``is`` ``mode-score`` ``pr`` ``dc`` ``mmd`` ``1nn`` ``swd`` | sample metrics (``FeatureSet``s) | ``sample_metrics.py`` |

The sample metrics take ``real=`` and ``fake=`` feature sets (``features.py`` extracts them,
``sample_eval.py`` gathers the samples of a model or folder) and ``seed=``.

Adding one: write its module, register a function here with ``@register_metric("name")``.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from ..registry import Registry
from . import sample_metrics as sm
from .cycle import eval_cycle
from .domain_accuracy import domain_accuracy as run_domain_accuracy
from .duplicates import duplicates as run_duplicates
from .paired import eval_paired
from .sample_metrics import FeatureSet

Metric = Callable[..., dict[str, Any]]
METRICS: Registry[Metric] = Registry("metric")


def register_metric(name: str) -> Callable[[Metric], Metric]:
    """Decorator: register ``fn(**options) -> dict`` as metric ``name``."""
    return METRICS.register(name)


def metric_names() -> list[str]:
    return METRICS.names()


def calc_metric(name: str, **options: Any) -> dict[str, Any]:
    """Run metric ``name`` (ConfigError listing the metrics when unknown); adds ``metric`` and ``seconds``."""
    fn = METRICS.get(name)
    t0 = time.perf_counter()
    result = fn(**options)
    return {"metric": name, **result, "seconds": round(time.perf_counter() - t0, 3)}


# ----------------------------------------------------------------------------- the metrics


@register_metric("paired")
def paired(*, models: list[str], data: str, split: str = "val", size: int | None = None, batch: int = 4,
           arch: str | None = None, arch_options: dict[str, Any] | None = None, **options: Any) -> dict[str, Any]:
    """L1 / PSNR / SSIM per model plus the identity baseline on a paired split (``options``: see ``eval_paired``)."""
    return eval_paired(models, data, split, size, batch, arch=arch, arch_options=arch_options,
                       metric_fn=calc_metric, known_metrics=SAMPLE_METRICS, **options)


@register_metric("cycle")
def cycle(*, model: str, data: str, split: str = "test", size: int | None = None, batch: int = 4) -> dict[str, Any]:
    """Cycle L1 both ways of a CycleGAN model plus the identity baseline."""
    return eval_cycle(model, data, split, size, batch)


@register_metric("domain-accuracy")
def domain_accuracy(*, model: str, data: str, **options: Any) -> dict[str, Any]:
    """Domain accuracy of translations (StarGAN, CycleGAN) by a classifier on the real images."""
    return run_domain_accuracy(model, data, **options)


@register_metric("duplicates")
def duplicates(*, target: str, **options: Any) -> dict[str, Any]:
    """Birthday-paradox support estimate (Arora & Zhang 2017) of a latent model's samples or a folder."""
    return run_duplicates(target, **options)


# ----------------------------------------------------------------------------- sample metrics


_sample_names: list[str] = []  # registration order; SAMPLE_METRICS (end of the module) is this list


def register_sample_metric(name: str) -> Callable[[Metric], Metric]:
    """``register_metric`` for a metric of two ``FeatureSet``s (``real=``, ``fake=``), listed in ``SAMPLE_METRICS``."""
    _sample_names.append(name)
    return register_metric(name)


@register_sample_metric("fid")
def fid(*, real: FeatureSet, fake: FeatureSet, **_: Any) -> dict[str, Any]:
    return sm.fid(real.features, fake.features)


@register_sample_metric("kid")
def kid(*, real: FeatureSet, fake: FeatureSet, seed: int = 0, **_: Any) -> dict[str, Any]:
    return sm.kid(real.features, fake.features, seed=seed)


@register_sample_metric("is")
def inception_score(*, fake: FeatureSet, seed: int = 0, **_: Any) -> dict[str, Any]:
    return sm.inception_score(fake.need_logits("is"), seed=seed)


@register_sample_metric("mode-score")
def mode_score(*, real: FeatureSet, fake: FeatureSet, **_: Any) -> dict[str, Any]:
    return sm.mode_score(real.need_logits("mode-score"), fake.need_logits("mode-score"))


@register_sample_metric("pr")
def precision_recall(*, real: FeatureSet, fake: FeatureSet, **_: Any) -> dict[str, Any]:
    return sm.precision_recall(real.features, fake.features, k=3)


@register_sample_metric("dc")
def density_coverage(*, real: FeatureSet, fake: FeatureSet, **_: Any) -> dict[str, Any]:
    return sm.density_coverage(real.features, fake.features, k=5)


@register_sample_metric("mmd")
def mmd(*, real: FeatureSet, fake: FeatureSet, **_: Any) -> dict[str, Any]:
    return sm.mmd(real.features, fake.features)


@register_sample_metric("1nn")
def one_nn(*, real: FeatureSet, fake: FeatureSet, **_: Any) -> dict[str, Any]:
    return sm.one_nn(real.features, fake.features)


@register_sample_metric("swd")
def swd(*, real: FeatureSet, fake: FeatureSet, seed: int = 0, **_: Any) -> dict[str, Any]:
    return sm.swd(real.features, fake.features, seed=seed)


SAMPLE_METRICS: tuple[str, ...] = tuple(_sample_names)  # the metrics of ``translate eval METRICS TARGET --real``
