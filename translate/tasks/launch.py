"""From CLI arguments to a resolved Config and a run folder (``translate train``)."""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import checkpoint as ckpt
from ..config import Config, GanConfig, load_yaml, resolve
from ..core.distributed import setup_run
from ..core.engine import Engine
from ..core.objective_settings import objective_layer
from ..errors import ConfigError
from ..registry import TASKS
from ..zoo import load_recipe


@dataclass
class TrainArgs:
    """The ``translate train`` options that map onto config keys."""
    task: str
    data: str | None = None
    config: str | None = None
    recipe: str | None = None
    size: int | None = None
    batch: int | None = None
    steps: int | None = None
    epochs: int | None = None
    amp: bool = False
    device: str | None = None
    direction: str | None = None
    layout: str | None = None
    derive: str | None = None
    skip_bad: bool = False
    seed: int | None = None
    overrides: list[str] = field(default_factory=list)
    shared_settings: bool = False  # keep the recipe's optimiser/penalty when --set gan.loss picks another objective


# command-line shortcut -> (option name, smallest value): named as typed, before they become config keys
_AT_LEAST = {"batch": ("--batch", 1), "steps": ("--steps", 1), "epochs": ("--epochs", 1), "size": ("--size", 1), "seed": ("--seed", 0)}


def _check_shortcuts(a: TrainArgs) -> None:
    for attr, (option, low) in _AT_LEAST.items():
        value = getattr(a, attr)
        if value is not None and value < low:
            raise ConfigError(f"{option}: must be at least {low}, got {value}")


def _shortcuts(a: TrainArgs) -> dict[str, Any]:
    data: dict[str, Any] = {}
    train: dict[str, Any] = {}
    top: dict[str, Any] = {}
    if a.data is not None:
        data["root"] = str(a.data)
    for key, val in (("direction", a.direction), ("layout", a.layout), ("derive", a.derive)):
        if val is not None:
            data[key] = val
    if a.skip_bad:
        data["skip_bad"] = True
    if a.batch is not None:
        train["batch_size"] = a.batch
    if a.steps is not None:
        train["steps"] = a.steps
    if a.epochs is not None:
        train["epochs"], train["steps"] = a.epochs, 0
    if a.amp:
        train["amp"] = "auto"
    if a.device is not None:
        train["device"] = a.device
    if a.seed is not None:
        top["seed"] = a.seed
    return {**top, **({"data": data} if data else {}), **({"train": train} if train else {})}


# config values that are paths: stored absolute, so that --resume works from any working directory
_PATH_KEYS = (("data", "root"), ("data", "attr_file"), ("train", "eval_classifier_data"), ("train", "eval_weights"))


def build_config(a: TrainArgs, resume_from: Path | None = None) -> Config:
    """Layer recipe/run config, --size, shortcuts, --config and --set into a Config (data paths made absolute)."""
    _check_shortcuts(a)
    task_cls = TASKS.get(a.task)
    layers: list[tuple[str, dict[str, Any]]] = []
    user = load_yaml(a.config) if a.config else None
    user_base = user.pop("base", None) if user else None
    if resume_from is not None:
        base = load_yaml(resume_from / "config.yaml")
        if base.get("task") != a.task:
            raise ConfigError(f"{resume_from}: this run trains {base.get('task')!r}, not {a.task!r}")
        layers.append((str(resume_from / "config.yaml"), base))
    else:
        name = a.recipe or user_base or task_cls.default_recipe
        recipe = load_recipe(a.task, name)
        recipe["task"] = a.task
        if a.size:
            recipe = task_cls.adapt_to_size(recipe, a.size)
        layers.append((f"recipe {name}", recipe))
    if resume_from is not None and a.size:
        raise ConfigError("--size cannot change when resuming a run")
    if user is not None:
        layers.append((str(a.config), user))
    layers.append(("command-line options", _shortcuts(a)))  # explicit options beat the --config file
    cfg = resolve(layers, a.overrides)
    if resume_from is None and not a.shared_settings:
        # another objective than the recipe's starts from its own settings (lr, betas, n_critic, penalty);
        # everything given explicitly (--config, shortcuts, --set) still wins, being layered above
        layer = objective_layer(recipe.get("gan", {}).get("loss", GanConfig().loss), cfg.gan.loss)
        if layer is not None:
            layers.insert(1, (f"settings of gan.loss {cfg.gan.loss}", layer))
            cfg = resolve(layers, a.overrides)
    if cfg.task != a.task:
        raise ConfigError(f"{a.config}: task {cfg.task!r} does not match the command's task {a.task!r}")
    for section, key in _PATH_KEYS:
        value = getattr(getattr(cfg, section), key)
        setattr(getattr(cfg, section), key, os.path.abspath(os.path.expanduser(value)) if value else "")
    return cfg


def resume_target(resume: str | Path) -> tuple[Path, Path | None]:
    """``--resume`` value -> (run folder, checkpoint folder or None for the newest loadable one).

    Accepts a run folder, its ``checkpoints/`` folder or one checkpoint ``RUN/checkpoints/step_N``.
    """
    p = Path(resume)
    if (p / "config.yaml").is_file():
        return p, None
    if p.name == "checkpoints" and (p.parent / "config.yaml").is_file():
        return p.parent, None
    if ckpt.parse_step_dir(p.name) and p.parent.name == "checkpoints" and (p.parent.parent / "config.yaml").is_file():
        if not ckpt.is_complete(p):
            raise ConfigError(f"--resume {p}: not a complete checkpoint (needs {ckpt.GEN_FILE} and {ckpt.STATE_FILE})")
        return p.parent.parent, p
    raise ConfigError(f"--resume {p}: not a run folder (no config.yaml) nor a checkpoint folder RUN/checkpoints/step_N")


def _check_data_folder(cfg: Config, run_dir: Path, given: str | None) -> None:
    """On resume: the stored data folder must exist, else say how to point at it."""
    root = cfg.data.root
    if root and not Path(root).is_dir() and given is None:
        raise ConfigError(f"--resume {run_dir}: data folder {root} (data.root in config.yaml) not found; "
                          "pass --data DIR to say where the data is now")


def default_run_dir(task: str) -> Path:
    """``runs/<task>-<timestamp>``."""
    return Path("runs") / f"{task}-{_dt.datetime.now().strftime('%Y%m%d-%H%M%S')}"


def engine_for(cfg: Config, run_dir: str | Path, *, resume: bool | Path = False) -> Any:
    """The engine for ``cfg``: set up the run (device, processes, seeds), build the task, hand it over."""
    env = setup_run(cfg)  # before the nets are built, so that their initialisation is seeded
    task = TASKS.build(cfg.task, cfg, env.device)
    return Engine(cfg, task, run_dir, env, resume=resume)


def train(a: TrainArgs, out: str | None = None, resume: str | None = None) -> Path:
    """Run ``translate train``; returns the run folder."""
    chosen: Path | None = None
    if resume:
        run_dir, chosen = resume_target(resume)
        cfg = build_config(a, resume_from=run_dir)
        _check_data_folder(cfg, run_dir, a.data)
    else:
        cfg = build_config(a)
        run_dir = Path(out) if out else default_run_dir(a.task)
        if (run_dir / "checkpoints").exists() and any((run_dir / "checkpoints").iterdir()):
            raise ConfigError(f"--out {run_dir}: already holds a run; use --resume {run_dir} or another folder")
    engine_for(cfg, run_dir, resume=(chosen or True) if resume else False).fit()
    return run_dir
