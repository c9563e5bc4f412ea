"""Toy benchmark: 2-D Gaussian mixtures that show mode collapse in seconds on a CPU.

The ring of Metz et al. 2017 (8 Gaussians on a circle of radius 2, std 0.02) or a 5x5 grid
(spacing 2, std 0.05, as in VEEGAN/PacGAN); an MLP generator (z ~ N(0, I_256) -> 2 hidden ReLU
layers of 128 -> 2) against an MLP discriminator (2 hidden ReLU layers of 128 -> 1), batch 256,
trained with ANY registered objective through the same :class:`Adversary` the image tasks use
(penalties, clipping, spectral norm, unrolling included) and the same training phases as the
engine (translate/core/phases.py: Dmain every D step, Gmain after every ``n_critic``-th one, run by
:class:`PhaseRunner`). ``steps`` counts generator updates; critic objectives take ``n_critic`` D
updates per step, at each objective's own settings (translate/core/objective_settings.py) or the
shared table ``SHARED_SETTINGS`` (``shared_settings=True``).

Reported: modes covered (a mode counts when at least ``min_count`` = 20 of 2,500 samples lie
within 3 std of it), the share of high-quality samples (within 3 std of any mode), wall and CPU
seconds of the training loop (CPU seconds do not grow on a busy machine), and a scatter plot.
``run_toy("hinge", spectral_norm=True)`` is all it takes.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import torch
from torch import Tensor, nn

from ..config import GanConfig, OptimConfig
from ..core.adversary import Adversary
from ..core.objective_settings import ObjectiveSettings, settings_for
from ..core.optim import build_optimizer
from ..core.phases import Phase, PhaseRunner, every
from ..registry import LOSSES
from .sample_metrics import precision_recall

# ----------------------------------------------------------------------------- data


def ring_means(modes: int = 8, radius: float = 2.0) -> Tensor:
    """Means of ``modes`` Gaussians evenly spaced on a circle.  # [K, 2]"""
    angle = torch.arange(modes, dtype=torch.float32) * (2 * math.pi / modes)
    return radius * torch.stack([angle.cos(), angle.sin()], 1)


def grid_means(side: int = 5, spacing: float = 2.0) -> Tensor:
    """Means of a ``side`` x ``side`` grid centred on the origin.  # [K, 2]"""
    axis = (torch.arange(side, dtype=torch.float32) - (side - 1) / 2) * spacing
    return torch.cartesian_prod(axis, axis)


@dataclass(frozen=True)
class Mixture:
    """An equal-weight isotropic Gaussian mixture in 2-D."""

    means: Tensor  # [K, 2]
    std: float

    def sample(self, n: int, gen: Optional[torch.Generator] = None) -> Tensor:
        """n points from the mixture.  # [n, 2]"""
        idx = torch.randint(0, len(self.means), (n,), generator=gen)
        return self.means[idx] + self.std * torch.randn(n, 2, generator=gen)


MIXTURES = {"ring": lambda: Mixture(ring_means(), 0.02), "grid": lambda: Mixture(grid_means(), 0.05)}


# ----------------------------------------------------------------------------- nets


def mlp(sizes: list[int]) -> nn.Sequential:
    """Linear layers with ReLU between them (none after the last)."""
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class ToyDiscriminator(nn.Module):
    """An MLP from a 2-D point (divided by ``scale``) to one logit.  # [N, 2] -> [N, 1]

    Metz et al. divide the input by 4; that makes a spectrally normalised D 1/4-Lipschitz in the
    data, too weak to separate modes 0.06 wide, so the default is 1.
    """

    def __init__(self, hidden: int = 128, layers: int = 2, scale: float = 1.0) -> None:
        super().__init__()
        self.scale = scale
        self.net = mlp([2] + [hidden] * layers + [1])

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x / self.scale)


# ----------------------------------------------------------------------------- settings

# The table before per-objective settings (``shared=True``, CLI ``--shared-settings``): every
# learning rate 1e-3 (5-10x the papers'), the papers' betas and D steps per G step.
_SHARED = ObjectiveSettings(lr_g=1e-3, lr_d=1e-3, source="shared toy setting: Adam 1e-3, betas (0.5, 0.999), 1 D step per G step")
_SHARED_CRITIC = dataclasses.replace(_SHARED, beta2=0.9, n_critic=5,
                                     source="shared toy setting: Adam 1e-3, betas (0.5, 0.9), 5 critic steps")
SHARED_SETTINGS: dict[str, ObjectiveSettings] = {
    "wgan": dataclasses.replace(_SHARED_CRITIC, gan={"clip": 0.01}),
    "wgan-gp": dataclasses.replace(_SHARED_CRITIC, gan={"penalty": "gp", "penalty_weight": 0.1}),
    "hinge": _SHARED_CRITIC,
    "rpgan": dataclasses.replace(_SHARED, gan={"penalty": "r1r2", "penalty_weight": 0.05}),
}


def toy_settings(loss: str, shared: bool = False) -> ObjectiveSettings:
    """The settings the toy trains ``loss`` with: its own (core/objective_settings.py), or the shared table."""
    name = LOSSES.get(loss).name  # ConfigError on a typo
    return SHARED_SETTINGS.get(name, _SHARED) if shared else settings_for(name).for_toy()


# ----------------------------------------------------------------------------- evaluation


def score_samples(samples: Tensor, mix: Mixture, min_count: int = 20) -> dict[str, Any]:
    """Modes covered and high-quality share (a sample is high quality within 3 std of a mode), and improved
    precision/recall (k = 3) of the points against as many fresh mixture samples (fixed seed)."""
    dist = torch.cdist(samples, mix.means)  # [n, K]
    nearest, which = dist.min(1)
    good = nearest <= 3 * mix.std
    counts = torch.bincount(which[good], minlength=len(mix.means))
    finite = bool(torch.isfinite(samples).all())
    return {
        "modes_covered": int((counts >= min_count).sum()) if finite else 0,
        "n_modes": len(mix.means),
        "high_quality": float(good.float().mean()) if finite else 0.0,
        "mode_counts": counts.tolist(),
        **(_pr(samples, mix) if finite else {"precision": 0.0, "recall": 0.0}),
    }


def _pr(samples: Tensor, mix: Mixture) -> dict[str, float]:
    real = mix.sample(len(samples), gen=torch.Generator().manual_seed(54321))  # [n, 2]
    pr = precision_recall(real, samples, k=3)
    return {"precision": pr["precision"], "recall": pr["recall"]}


def plot_samples(samples: Tensor, mix: Mixture, path: str | Path, title: str) -> Path:
    """Scatter plot of generated samples over the mixture's 3-std circles (small PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(3.2, 3.2), dpi=80)
    lim = float(mix.means.abs().max()) * 1.5
    for m in mix.means.tolist():
        ax.add_patch(plt.Circle(m, 3 * mix.std, color="tab:orange", fill=False, lw=0.8))
    pts = samples[torch.isfinite(samples).all(1)].clamp(-lim, lim).numpy()
    ax.scatter(pts[:, 0], pts[:, 1], s=1, alpha=0.4, c="tab:blue", linewidths=0)
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", xticks=[], yticks=[])
    ax.set_title(title, fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


# ----------------------------------------------------------------------------- training


def run_toy(
    loss: str,
    steps: int = 3000,
    unrolled: int = 0,
    grid: bool = False,
    seed: int = 0,
    spectral_norm: bool = False,
    penalty: Optional[str] = None,
    out_png: Optional[str | Path] = None,
    z_dim: int = 256,
    batch: int = 256,
    n_eval: int = 2500,
    min_count: int = 20,
    unrolled_lr: Optional[float] = None,
    threads: int = 1,
    shared_settings: bool = False,
    settings: Optional[ObjectiveSettings] = None,
) -> dict[str, Any]:
    """Train G/D on the ring (or 5x5 grid) with objective ``loss``; returns the scores as a dict.

    Trains at the objective's own settings (``settings_for(loss)``), the old shared table with
    ``shared_settings``, or ``settings`` when given; ``spectral_norm``/``penalty`` switch those on top.
    Runs on ``threads`` CPU threads with ``torch.use_deterministic_algorithms(True)`` (the same seed
    gives the same figures run after run); the previous settings are restored afterwards.
    """
    settings = settings or toy_settings(loss, shared_settings)
    old_threads, old_det = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    try:
        return _run(loss, settings, steps, unrolled, grid, seed, spectral_norm, penalty, out_png, z_dim, batch, n_eval,
                    min_count, unrolled_lr)
    finally:
        torch.set_num_threads(old_threads)
        torch.use_deterministic_algorithms(old_det)


class ToyGame:
    """The toy as a task for the phase runner: G and D losses that draw their own z and reals.

    Steps are D steps; the adversary sees the G-step index (``step // n_critic``). Each loss draws
    z, then the real batch, from ``gen``.
    """

    def __init__(self, adv: Adversary, G: nn.Module, D: nn.Module, mix: Mixture, gen: torch.Generator,
                 batch: int, z_dim: int, n_critic: int) -> None:
        if adv.lazy_penalty:
            raise ValueError("the toy evaluates penalties every D step (penalty_every 1)")
        self.adv, self.G, self.D, self.mix, self.gen = adv, G, D, mix, gen
        self.batch, self.z_dim, self.n_critic = batch, z_dim, n_critic

    def _z(self) -> Tensor:
        return torch.randn(self.batch, self.z_dim, generator=self.gen)  # [B, z_dim]

    def d_loss(self, batch: Any, out: dict[str, Any], step: int) -> tuple[Tensor, dict[str, Tensor]]:
        with torch.no_grad():
            fake = self.G(self._z())  # [B, 2]
        return self.adv.d_loss(self.D, self.mix.sample(self.batch, self.gen), fake, step // self.n_critic)[0], {}

    def g_loss(self, batch: Any, out: dict[str, Any], step: int) -> tuple[Tensor, dict[str, Tensor]]:
        fake = self.G(self._z())  # [B, 2]
        return self.adv.g_loss(self.D, fake, self.mix.sample(self.batch, self.gen), step // self.n_critic)[0], {}

    def phases(self) -> list[Phase]:
        """Dmain every D step (then weight clipping), Gmain after every ``n_critic``-th."""
        clip = lambda: self.adv.after_d_step([self.D])  # noqa: E731
        return [Phase("Dmain", "D", self.d_loss, after_step=clip), Phase("Gmain", "G", self.g_loss, **every(self.n_critic))]


def _run(loss: str, settings: ObjectiveSettings, steps: int, unrolled: int, grid: bool, seed: int, spectral_norm: bool,
         penalty: Optional[str], out_png: Optional[str | Path], z_dim: int, batch: int, n_eval: int, min_count: int,
         unrolled_lr: Optional[float]) -> dict[str, Any]:
    """The training run behind :func:`run_toy`."""
    gan = {"loss": loss, "unrolled_steps": unrolled, **settings.gan_keys()}
    gan["spectral_norm"] = spectral_norm or bool(gan.get("spectral_norm"))
    if penalty is not None:
        gan["penalty"] = penalty
    if unrolled_lr is not None:
        gan["unrolled_lr"] = unrolled_lr  # default: D's own Adam (lr, betas, moments)
    adv = Adversary(GanConfig(**gan), total_steps=steps)
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    mix = MIXTURES["grid" if grid else "ring"]()
    G, D = mlp([z_dim, 128, 128, 2]), adv.prepare_discriminator(ToyDiscriminator())
    opt = OptimConfig(name=settings.optimizer, beta1=settings.beta1, beta2=settings.beta2)
    runner = PhaseRunner({"G": build_optimizer(opt, G.parameters(), settings.lr_g),
                          "D": build_optimizer(opt, D.parameters(), settings.lr_d)})
    adv.attach_d_optimizer(runner.optimizers["D"])
    game = ToyGame(adv, G, D, mix, gen, batch, z_dim, settings.n_critic)
    phases = game.phases()
    g_main = phases[-1]
    diverged_at = None
    last: dict[str, Tensor] = {}  # the latest loss per optimiser
    t0, c0 = time.perf_counter(), time.process_time()
    for step in range(steps * settings.n_critic):  # D steps
        for phase in phases:
            if phase.due(step):  # plain runner: non-finite losses are stepped through
                last[phase.opt] = runner.run(phase, {}, {}, step).loss
        if g_main.due(step) and not (torch.isfinite(last["D"]) and torch.isfinite(last["G"])):
            diverged_at = step // settings.n_critic  # the G step after which the run broke off
            break
    seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - c0
    with torch.no_grad():
        samples = G(torch.randn(n_eval, z_dim, generator=torch.Generator().manual_seed(12345)))
    result: dict[str, Any] = {
        "loss": loss, "mixture": "grid" if grid else "ring", "steps": steps, "unrolled": unrolled,
        "spectral_norm": adv.cfg.spectral_norm, "penalty": adv.cfg.penalty, "clip": adv.cfg.clip, "seed": seed,
        **score_samples(samples, mix, min_count), "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2), "diverged_at": diverged_at,
        "settings": {**settings.overrides(), "source": settings.source},
    }
    if out_png is not None:
        extra = (" +SN" if adv.cfg.spectral_norm else "") + (f" unrolled {unrolled}" if unrolled else "")
        title = f"{loss}{extra}: {result['modes_covered']}/{result['n_modes']} modes, {100 * result['high_quality']:.0f}% HQ"
        result["png"] = str(plot_samples(samples, mix, out_png, title))
    return result
