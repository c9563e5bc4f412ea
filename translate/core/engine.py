"""The one training loop every task runs on.

One step runs the task's forward pass once, then the task's phases that are due (Dmain, Dreg,
Gmain, Greg, ...: translate/core/phases.py), each with its own optimiser step. The engine owns the
optimisers (``optim.name``, separate G/D learning rates, the lazy-regularisation correction), LR
schedules, mixed precision, multi-process training, EMA of generators, the NaN/Inf guard,
logging, sample grids, periodic and latest checkpoints and exact resume. A task
(translate/tasks) only says what the phases and their losses are.

SIGINT and SIGTERM (to the process or its whole group) stop the run at the next step boundary
with an exit checkpoint, so the saved state is the state of a completed step and resumes exactly;
a second signal stops at once. DataLoader workers ignore both and die with the main process
(translate/data/workers.py).
"""

from __future__ import annotations

import math
import signal
import threading
import warnings
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader

from .. import checkpoint as ckpt
from ..config import Config
from ..config import save as save_config
from ..data.workers import WorkerInit
from ..errors import CheckpointError, InputError, Interrupted, TrainingDiverged
from ..nets.loading import load_generators
from ..nets.probe import check_input_size
from . import checkpoints as runckpt
from . import distributed as D
from . import rng
from .distributed import RunEnv, setup_run
from .ema import EMA
from .engine_runner import EngineRunner
from .eval_hook import build_evaluator, keep_best
from .logger import RunLogger
from .optim import build_optimizer
from .phases import Phase, describe, due_phases, lazy_ratios
from .precision import make_precision
from .progressive import build_growth
from .progressive import describe as grow_describe
from .sampler import ResumableSampler
from .schedules import build_schedule
from .stabilisers import prepare_task, unwrap


class Engine:
    """Trains ``task`` (built by the caller, see ``translate.tasks.launch``) into ``run_dir``.

    ``resume=True`` continues from the run's newest loadable checkpoint (LATEST's first; broken
    ones are skipped with a warning), ``resume=PATH`` from that checkpoint folder; ``dataset``
    replaces the task's training data (benchmarks use synthetic data).
    """

    def __init__(self, cfg: Config, task: Any, run_dir: str | Path, env: RunEnv | None = None, *,
                 resume: bool | str | Path = False, dataset: Any = None) -> None:
        env = env or setup_run(cfg)
        self.cfg, self.run_dir = cfg, Path(run_dir)
        self.device, self.dist = env.device, env.dist
        self.task = task
        self.notes: list[str] = prepare_task(self.task, cfg, self.device, self.dist)
        for net in self.task.nets.values():
            D.broadcast_module(net, self.dist)
        rng.seed_all(cfg.seed + self.dist.rank)  # per-rank noise (dropout) after identical init

        t = cfg.train
        self.dataset = dataset if dataset is not None else self.task.build_dataset(cfg.data.split, train=True)
        self.sampler = ResumableSampler(len(self.dataset), seed=cfg.seed, shuffle=True, rank=self.dist.rank, world=self.dist.world)
        # progressive growing (progressive.start > 0): the stage and batch size of every step
        self.growth = build_growth(cfg.progressive, {k: unwrap(n) for k, n in self.task.nets.items()}, t.batch_size)
        self._make_loader(self.growth.stage(0).batch_size if self.growth else t.batch_size)
        self.total = t.steps if t.steps > 0 else self.growth.total if self.growth else t.epochs * self.steps_per_epoch
        if self.growth:
            self.notes.append(grow_describe(self.growth.spans))
        self.task.set_total_steps(self.total)

        o = cfg.optim
        self.phases: list[Phase] = self.task.phases()
        ratios = lazy_ratios(self.phases)  # lr * k/(k+1), betas ** (k/(k+1)) for a lazy phase every k steps
        self.opt = {  # keys "G"/"D" are the checkpoint layout (state["optim"], state["sched"])
            "G": build_optimizer(o, self.task.g_params(), o.lr_g, ratios.get("G", 1.0), fused=True),
            "D": build_optimizer(o, self.task.d_params(), o.lr_d, ratios.get("D", 1.0), fused=True),
        }
        if ratios:
            fixed = ", ".join(f"{r:.4g} ({k})" for k, r in sorted(ratios.items()))
            self.notes.append(f"phases {describe(self.phases)}; lazy regularisation: lr x r and betas ** r with r = {fixed}")
        self.task.adv.attach_d_optimizer(self.opt["D"])  # unrolled D continues from D's Adam state
        units = self.total if cfg.schedule.per == "step" else math.ceil(self.total / self.steps_per_epoch)
        mult = build_schedule(cfg.schedule, units)
        self.sched = {k: torch.optim.lr_scheduler.LambdaLR(v, mult) for k, v in self.opt.items()}
        self.prec = make_precision(t.amp, self.device)
        gens = self.task.generators().items()
        self.ema = {k: EMA(unwrap(n), t.ema, t.ema_start, t.ema_rampup, t.ema_buffers) for k, n in gens} if t.ema > 0 else {}
        self.runner = EngineRunner(self)
        self.step = self.epoch = self.batch_in_epoch = 0
        self.bad_run = self.bad_total = 0
        self.stop = _StopRequest()
        self._mid_step = False
        if resume:
            self._resume(None if resume is True else Path(resume))
        if self.prec.note:
            self.notes.append(self.prec.note)
        self.log = RunLogger(self.run_dir, enabled=self.dist.is_main, tensorboard=t.tensorboard, progress=t.progress, total=self.total,
                             start=self.step)
        self._acc: dict[str, list[float]] = {}
        self._fixed: dict[str, Any] | None = None
        self._saved_at = self._sampled_at = self._evaluated_at = -1
        self._last_eval: dict[str, float] = {}
        self.skipped: set[str] = set()
        self.sample_eval = build_evaluator(cfg, self.task, self.run_dir) if self.dist.is_main else None  # train.eval_metrics

    def _make_loader(self, batch_size: int) -> None:
        """(Re)build the training loader for ``batch_size`` (progressive growing changes it per phase)."""
        if getattr(self, "loader", None) is not None:
            _stop_workers(self.loader)
        self.batch_size = batch_size
        self.loader = DataLoader(
            self.dataset, batch_size=batch_size, sampler=self.sampler, num_workers=t_workers(self.cfg),
            pin_memory=self.device.type == "cuda", persistent_workers=t_workers(self.cfg) > 0,
            generator=torch.Generator().manual_seed(self.cfg.seed), worker_init_fn=WorkerInit(),
        )
        self.steps_per_epoch = math.ceil(self.sampler.per_rank / batch_size)

    def _phase_batch_size(self) -> None:
        """Growth: a phase with another batch size starts a new data epoch (unless one just started) and loader.

        Decided from the step and the epoch position alone, so a run resumed at that step does the same.
        """
        if not self.growth:
            return
        size = self.growth.stage(self.step).batch_size
        if self.step > 0 and self.growth.batch_changes_after(self.step - 1) and self.batch_in_epoch > 0:
            self._end_epoch()
        if size != self.batch_size:
            self._make_loader(size)

    # ------------------------------------------------------------------ the loop
    def fit(self) -> dict[str, float]:
        """Train until ``total`` steps; returns the last logged scalars and evaluation metrics."""
        old = {s: signal.signal(s, self.stop) for s in _STOP_SIGNALS} if _main_thread() else {}
        last: dict[str, float] = {}
        first = self.step
        try:
            if self.dist.is_main:
                self.run_dir.mkdir(parents=True, exist_ok=True)
                save_config(self.cfg, self.run_dir / "config.yaml")
            for note in self.notes:
                self.log.message(f"note: {note}")
            self.log.message(f"training from step {self.step} to {self.total} in {self.run_dir} "
                             "(SIGINT/SIGTERM: stop with a checkpoint)", err=True)
            while self.step < self.total:
                self._phase_batch_size()
                self.sampler.set_epoch(self.epoch, self.batch_in_epoch * self.batch_size)
                for batch in self.loader:
                    if D.any_rank(bool(self.stop.signum), self.dist, self.device):
                        self._stop_cleanly()
                    self._mid_step = True
                    last = self._train_step(batch) or last
                    self.step += 1
                    self.batch_in_epoch += 1
                    self.log.advance()
                    self._after_step()
                    self._mid_step = False
                    if self.step >= self.total or (self.growth and self.growth.batch_changes_after(self.step - 1)):
                        break  # growth: the next phase has another batch size (_phase_batch_size)
                if self.batch_in_epoch >= self.steps_per_epoch:
                    self._end_epoch()
            if self._evaluated_at != self.step:  # not already evaluated at this step (train.eval_every)
                self.evaluate()
                self._keep_best()
            last.update(self._last_eval)
            if self._saved_at != self.step:
                self.save(keep=False)
            if self._sampled_at != self.step:
                self._samples()
        except Interrupted:
            raise
        except (ValueError, RuntimeError):
            if self.step == first:  # the first step failed: maybe a net cannot take this image size
                check_input_size(self.task.nets, self.cfg.data.crop_size, self.batch_size)
            raise
        except KeyboardInterrupt:  # a second signal, or KeyboardInterrupt raised by the caller
            if not self._mid_step and self._saved_at != self.step:  # between steps the state is whole
                self.save(keep=False)
            self.log.message(f"interrupted at step {self.step}; continue with: {self._resume_hint()}")
            raise
        finally:
            _stop_workers(self.loader)
            for s, handler in old.items():
                signal.signal(s, handler)
            if self.skipped:
                self.log.message(f"skipped {len(self.skipped)} bad image(s) (data.skip_bad); see the warnings above")
            self.log.close()
            D.teardown(self.dist)
        return last

    def _stop_cleanly(self) -> None:
        """Save an exit checkpoint of the last completed step and stop (SIGINT/SIGTERM was received)."""
        signum = self.stop.signum or signal.SIGTERM
        if self._saved_at != self.step:
            self.save(keep=False)
        name = signal.Signals(signum).name
        self.log.message(f"{name}: stopped at step {self.step} with a checkpoint; continue with: {self._resume_hint()}")
        raise Interrupted(signum, f"stopped by {name} at step {self.step}")

    def _resume_hint(self) -> str:
        return f"translate train {self.cfg.task} --resume {self.run_dir}"

    def _train_step(self, batch: dict[str, Any]) -> dict[str, float] | None:
        task = self.task
        self._note_skipped(batch.get("skipped"))
        batch = task.to_device(batch)
        due = due_phases(self.phases, self.step)
        stage = self.growth.apply(self.step, [e.shadow for e in self.ema.values()], self.opt.values()) if self.growth else None
        for net in task.nets.values():
            net.train()
        with self.prec.autocast():
            out = task.forward(batch, need_grad=any(p.needs_graph for p in due))
        logs: dict[str, float] = {"resolution": 4.0 * 2**stage.level, "alpha": stage.alpha} if stage else {}
        self.runner.begin_step(due)
        for phase in due:
            ok, _, phase_logs = self.runner.run(phase, batch, out, self.step)
            logs.update(phase_logs)
            if not ok:
                return self._skip_step(logs)
        self.bad_run = 0
        if self.dist.enabled:  # like DDP's broadcast_buffers: BN running stats follow rank 0
            for net in task.nets.values():
                D.broadcast_module(net, self.dist, buffers_only=True)
        self.runner.end_step()
        if self.cfg.schedule.per == "step":
            self._step_schedules()
        for k, v in logs.items():
            self._acc.setdefault(k, []).append(v)
        return None

    def _note_skipped(self, entries: Any) -> None:
        for entry in entries or []:
            for err in filter(None, str(entry).split("\n")):
                if err not in self.skipped:
                    self.skipped.add(err)
                    self.log.message(f"warning: skipped bad image: {err}")

    def _skip_step(self, logs: dict[str, float]) -> None:
        for opt in self.opt.values():
            opt.zero_grad(set_to_none=True)
        self.bad_run += 1
        self.bad_total += 1
        self.log.message(f"warning: non-finite loss at step {self.step + 1} ({logs}); step skipped ({self.bad_total} so far)")
        if self.bad_run >= self.cfg.train.nan_tolerance:
            latest = ckpt.latest_checkpoint(self.run_dir)
            raise TrainingDiverged(
                f"training diverged: {self.bad_run} consecutive steps with non-finite losses at step {self.step + 1}; "
                f"try a lower learning rate (optim.lr_g/lr_d), --set train.amp=off or another gan.loss"
                + (f"; last good checkpoint: {latest}" if latest else "")
            )

    def _logging_now(self) -> bool:
        return (self.step + 1) % max(1, self.cfg.train.log_every) == 0

    def _after_step(self) -> None:
        t = self.cfg.train
        if self.step % max(1, t.log_every) == 0 and self._acc:
            scalars = {k: D.all_mean(sum(v) / len(v), self.dist, self.device) for k, v in self._acc.items()}
            scalars.update({f"lr_{k}": s.get_last_lr()[0] for k, s in self.sched.items()})
            if self.bad_total:
                scalars["skipped_steps"] = float(self.bad_total)
            self.log.log(self.step, scalars, self.epoch)
            self._acc = {}
        if (t.sample_every > 0 and self.step % t.sample_every == 0) or (self.growth and self.growth.phase_ends_at(self.step)):
            self._samples()  # growth: a grid at the end of every phase
        if t.eval_every > 0 and self.step % t.eval_every == 0:
            self.evaluate()
            self._keep_best()
        periodic = t.ckpt_every > 0 and self.step % t.ckpt_every == 0
        if periodic or (t.latest_every > 0 and self.step % t.latest_every == 0):
            self.save(keep=periodic)

    def _step_schedules(self) -> None:
        # LambdaLR recomputes the rate from its own counter, so stepping a schedule whose optimiser
        # has not stepped yet (L1-only runs never update D; a resume at an epoch boundary) is
        # harmless; torch's ordering warning would only confuse users.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Detected call of `lr_scheduler.step", category=UserWarning)
            for s in self.sched.values():
                s.step()

    def _end_epoch(self) -> None:
        self.epoch += 1
        self.batch_in_epoch = 0
        if self.cfg.schedule.per == "epoch":
            self._step_schedules()
        if self.cfg.train.sample_every == 0:
            self._samples()

    # ------------------------------------------------------------------ samples and evaluation
    def inference_generators(self) -> dict[str, nn.Module]:
        """EMA shadows when EMA is on, else the trained generators."""
        if self.ema:
            return {k: e.shadow for k, e in self.ema.items()}
        return {k: unwrap(n) for k, n in self.task.generators().items()}

    def _eval_dataset(self):
        try:
            return self.task.build_dataset(self.cfg.data.val_split, train=False)
        except InputError:
            return self.task.build_dataset(self.cfg.data.split, train=False)

    def _samples(self) -> None:
        self._sampled_at = self.step
        if not self.dist.is_main:
            return
        if self._fixed is None:
            ds = self._eval_dataset()
            n = min(self.cfg.train.num_samples, len(ds))
            items = [ds[(0, i)] for i in range(n)]
            self._fixed = torch.utils.data.default_collate(items)
        gens = self.inference_generators()
        with _eval_mode(gens.values()), torch.no_grad():
            cols = self.task.sample(self.task.to_device(self._fixed), gens)
        self.log.image_grid(self.step, cols)

    def evaluate(self) -> dict[str, float]:
        """Run the task's validation metrics (rank 0) and log them under ``eval/``."""
        self._evaluated_at = self.step
        if not self.dist.is_main:
            return {}
        gens = self.inference_generators()
        try:
            ds = self.task.build_dataset(self.cfg.data.val_split, train=False)
        except InputError:
            metrics = {}
        else:
            loader = DataLoader(ds, batch_size=max(1, self.cfg.train.batch_size), shuffle=False, num_workers=0)
            with _eval_mode(gens.values()), torch.no_grad():
                metrics = self.task.evaluate((self.task.to_device(b) for b in loader), gens)
        metrics = {f"eval/{k}": float(v) for k, v in metrics.items()}
        if self.sample_eval is not None:  # train.eval_metrics (translate.core.eval_hook)
            with _eval_mode(gens.values()), torch.no_grad():
                metrics.update(self.sample_eval(self.step, gens))
        if metrics:
            self.log.log(self.step, metrics, self.epoch)
        self._last_eval = metrics
        return metrics

    # ------------------------------------------------------------------ checkpoints
    def _keep_best(self) -> None:
        """After an evaluation: when ``train.eval_best`` improved, checkpoint now and copy it to checkpoints/best."""
        improved = bool(self.sample_eval is not None and self.sample_eval.best_improved)
        if not self.cfg.train.eval_best or D.all_mean(float(improved), self.dist, self.device) == 0:
            return
        self.save(keep=False)
        if self.dist.is_main:
            latest = ckpt.latest_checkpoint(self.run_dir)
            if latest is not None:
                keep_best(self.run_dir, latest, self.sample_eval.best)
                self.log.message(f"best {self.sample_eval.best['value_name']} {self.sample_eval.best['value']:.5g} at step {self.step}")

    def save(self, keep: bool) -> None:
        """Write a checkpoint of the current step (rank 0 writes; all ranks sync)."""
        self._saved_at = self.step
        states = [rng.capture()]
        if self.dist.enabled:
            gathered: list[Any] = [None] * self.dist.world
            torch.distributed.all_gather_object(gathered, states[0])
            states = gathered
        if self.dist.is_main:
            gens = self.inference_generators()
            stored = set(gens) if not self.ema else set()
            state = {
                "step": self.step, "epoch": self.epoch, "batch_in_epoch": self.batch_in_epoch,
                "total": self.total, "bad_total": self.bad_total, "world": self.dist.world,
                "nets": {k: unwrap(n).state_dict() for k, n in self.task.nets.items() if k not in stored},
                "optim": {k: o.state_dict() for k, o in self.opt.items()},
                "sched": {k: s.state_dict() for k, s in self.sched.items()},
                "scaler": self.prec.scaler.state_dict() if self.prec.scaler is not None else None,
                "ema": {k: e.state_dict() for k, e in self.ema.items()},
                "rng": states, "task": self.task.extra_state(),
            }
            meta = {"step": self.step, "epoch": self.epoch, "ema": bool(self.ema)}
            write = lambda p: ckpt.save_generators(  # noqa: E731
                p, gens, task=self.cfg.task, config=self.cfg, net_meta=self.task.generator_meta(), extra=meta
            )
            runckpt.write_run_checkpoint(self.run_dir, self.step, write, state, keep=keep, keep_last=self.cfg.train.keep_last)
        D.barrier(self.dist)

    def _resume(self, chosen: Path | None) -> None:
        """Load ``chosen`` (a checkpoint folder) or the run's newest loadable checkpoint."""
        if chosen is not None:
            d, state = chosen, runckpt.load_checkpoint(chosen)
        else:
            if self.dist.is_main:
                self.notes.extend(runckpt.recover(self.run_dir))
            D.barrier(self.dist)
            d, state, skipped = runckpt.choose_for_resume(self.run_dir)
            self.notes.extend(f"warning: {w}" for w in skipped)
        try:
            self._load(d, state)
        except (KeyError, TypeError, ValueError, RuntimeError) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise CheckpointError(f"{d}: does not fit this run's config ({first})") from None
        self.notes.append(f"resumed from {d} (step {self.step}, epoch {self.epoch})")

    def _load(self, d: Path, state: dict[str, Any]) -> None:
        gfile = load_generators(d / ckpt.GEN_FILE, device=self.device)
        for name, net in self.task.nets.items():
            sd = state["nets"].get(name)
            if sd is None:
                sd = gfile.nets[name].state_dict()
            unwrap(net).load_state_dict(sd)
        for k, e in self.ema.items():
            e.load_state_dict(state["ema"][k] if k in state.get("ema", {}) else gfile.nets[k].state_dict())
        for k, o in self.opt.items():
            o.load_state_dict(state["optim"][k])
        for k, s in self.sched.items():
            s.load_state_dict(state["sched"][k])
        if self.prec.scaler is not None and state.get("scaler"):
            self.prec.scaler.load_state_dict(state["scaler"])
        self.step, self.epoch, self.batch_in_epoch = state["step"], state["epoch"], state["batch_in_epoch"]
        self.bad_total = state.get("bad_total", 0)
        self.task.load_extra_state(state.get("task", {}))
        states = state["rng"]
        rng.restore(states[self.dist.rank] if len(states) == self.dist.world else states[0])


def t_workers(cfg: Config) -> int:
    return max(0, cfg.data.num_workers)


class _eval_mode:
    """Context: put nets in eval mode, restore their previous modes afterwards."""

    def __init__(self, nets: Any) -> None:
        self.nets = list(nets)

    def __enter__(self) -> None:
        self.modes = [n.training for n in self.nets]
        for n in self.nets:
            n.eval()

    def __exit__(self, *exc: Any) -> None:
        for n, m in zip(self.nets, self.modes):
            n.train(m)


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _stop_workers(loader: DataLoader) -> None:
    """Shut the loader's persistent workers down now (at interpreter exit torch may leave it to multiprocessing)."""
    it = getattr(loader, "_iterator", None)
    if it is not None and hasattr(it, "_shutdown_workers"):
        it._shutdown_workers()
    loader._iterator = None


class _StopRequest:
    """Signal handler: the first SIGINT/SIGTERM asks for a stop at the next step boundary, a second stops now."""

    def __init__(self) -> None:
        self.signum = 0

    def __call__(self, signum: int, frame: Any) -> None:
        if self.signum:
            raise KeyboardInterrupt
        self.signum = signum


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()
