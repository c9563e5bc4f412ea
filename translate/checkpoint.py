"""Checkpoints are data: generator weights + everything needed to rebuild them.

* ``generator.safetensors``: the inference generators of a task (EMA weights when EMA is on),
  tensor keys prefixed by net name (``G.model.model.0.weight``, ``G_A.model.1.weight``), with
  metadata holding the format version, task, per-net registry name + options, direction/domains,
  normalisation and the resolved run config. ``load_generators`` rebuilds the nets from it alone.
* ``state.pt``: the training state (discriminators, raw generators when EMA is on, optimisers,
  schedulers, AMP scaler, step/epoch/data position, RNG states, task extras), read back with
  ``torch.load(weights_only=True)`` so no code is ever unpickled.

A run keeps ``checkpoints/step_XXXXXXXX/{generator.safetensors,state.pt}`` directories and a
``checkpoints/LATEST`` pointer. ``translate.core.checkpoints`` writes them (a temporary directory
renamed into place; an existing step renamed aside first and deleted last), so at every instant a
complete checkpoint exists; this module finds them: ``checkpoint_candidates`` lists every complete
one, the one LATEST names first, then newest first (an aside copy stands in for its missing step).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, safe_open, save_file
from torch import nn

from . import __version__
from .config import Config, dump_yaml
from .errors import CheckpointError

FORMAT = "gan-translate/1"
NORMALISATION = "RGB, NCHW float32 in [-1, 1] (x / 127.5 - 1)"
GEN_FILE = "generator.safetensors"
STATE_FILE = "state.pt"
KEPT_MARK = "KEEP"  # marks a periodic checkpoint that later ones do not supersede
REFERENCE_SUFFIXES = (".pth", ".pt", ".ckpt")  # reference-repo generator files (latest_net_G.pth, 200000-G.ckpt)
TMP_PREFIX = ".tmp-"  # .tmp-step_N-PID: a checkpoint being written
ASIDE_PREFIX = ".old-"  # .old-step_N-PID: the previous step_N while a new one replaces it
_STEP_NAME = re.compile(r"^(?:\.tmp-|\.old-)?(step_(\d+))(?:-(\d+))?$")


# ----------------------------------------------------------------------------- atomic writes


def file_mode() -> int:
    """The mode a new file gets from ``open()`` under the current umask (0o666 & ~umask)."""
    if sys.platform.startswith("linux"):
        try:
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
        except OSError:
            pass
    mask = os.umask(0o022)  # no read-only query elsewhere: set and restore
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file + rename."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def spec_of(net: nn.Module) -> dict[str, Any]:
    """The registry name and options a net was built with (set by ``tasks.base.build_net``)."""
    spec = getattr(net, "translate_spec", None)
    if not spec:
        raise CheckpointError(f"{type(net).__name__} was not built from the registry; cannot describe it")
    return spec


# ----------------------------------------------------------------------------- generator files


def save_generators(
    path: str | Path,
    gens: dict[str, nn.Module],
    *,
    task: str,
    config: Config | None,
    net_meta: dict[str, dict[str, Any]] | None = None,
    default: str | None = None,
    extra: dict[str, Any] | None = None,
    dtype: torch.dtype | None = None,
) -> Path:
    """Write ``gens`` (name -> net) as one safetensors file with rebuild metadata; atomic."""
    path = Path(path)
    tensors: dict[str, torch.Tensor] = {}
    nets_meta: dict[str, Any] = {}
    for name, net in gens.items():
        spec = spec_of(net)
        stage = net.stage_options() if getattr(net, "growing", False) else {}
        if stage:  # a mid-schedule progressive net rebuilds at its trained stage, never the untrained top layers
            spec = {**spec, "options": {**spec.get("options", {}), **stage}, "resolution": net.current_resolution}
        nets_meta[name] = {
            **spec,
            "kind": getattr(net, "kind", "image"),
            "input_multiple": int(getattr(net, "input_multiple", 1)),
            **(net_meta or {}).get(name, {}),
        }
        for k, v in net.state_dict().items():
            t = v.detach().to("cpu")
            if dtype is not None and t.is_floating_point():
                t = t.to(dtype)
            tensors[f"{name}.{k}"] = t.contiguous().clone()
    meta = {
        "format": FORMAT,
        "translate_version": __version__,
        "task": task,
        "nets": json.dumps(nets_meta),
        "default": default or next(iter(gens)),
        "normalization": NORMALISATION,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "config": dump_yaml(config) if config is not None else "",
        **{k: json.dumps(v) for k, v in (extra or {}).items()},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    save_file(tensors, str(tmp), metadata=meta)
    os.chmod(tmp, file_mode())  # safetensors creates 0600; a run's files read like any file the user writes
    os.replace(tmp, path)
    return path


def read_metadata(path: str | Path) -> dict[str, Any]:
    """Parsed metadata of a generator file (``nets`` decoded; config left as YAML text)."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: file not found")
    try:
        with safe_open(str(path), framework="pt") as f:
            raw = f.metadata() or {}
    except (SafetensorError, OSError, ValueError) as exc:
        raise CheckpointError(f"{path}: not a safetensors file ({exc})") from None
    if raw.get("format") != FORMAT:
        raise CheckpointError(
            f"{path}: not a gan-translate generator file (format {raw.get('format')!r}); "
            "reference .pth files load with --arch NAME"
        )
    meta: dict[str, Any] = dict(raw)
    meta["nets"] = json.loads(raw["nets"])
    for k in ("step", "epoch", "ema"):
        if k in raw:
            meta[k] = json.loads(raw[k])
    return meta


def read_generator_tensors(path: str | Path) -> tuple[dict[str, Any], dict[str, dict[str, torch.Tensor]]]:
    """(metadata, net name -> state dict in float32) of a generator file; nothing is built."""
    path = Path(path)
    meta = read_metadata(path)
    try:
        tensors = load_file(str(path), device="cpu")
    except (SafetensorError, OSError) as exc:
        raise CheckpointError(f"{path}: unreadable weights ({exc})") from None
    nets: dict[str, dict[str, torch.Tensor]] = {}
    for name in meta["nets"]:
        prefix = f"{name}."
        nets[name] = {k[len(prefix):]: v.float() if v.is_floating_point() else v for k, v in tensors.items() if k.startswith(prefix)}
    return meta, nets


# ----------------------------------------------------------------------------- run checkpoints


def checkpoints_dir(run_dir: str | Path) -> Path:
    return Path(run_dir) / "checkpoints"


def step_dir_name(step: int) -> str:
    return f"step_{step:08d}"


def parse_step_dir(name: str) -> tuple[int, str] | None:
    """``(step, "step_N")`` of a checkpoint folder name, its temporary or its aside copy, else None."""
    m = _STEP_NAME.match(name)
    return (int(m.group(2)), m.group(1)) if m else None


def is_complete(d: Path) -> bool:
    """Both files of a checkpoint are present (``load_state`` tells whether they load)."""
    return (d / GEN_FILE).is_file() and (d / STATE_FILE).is_file()


def checkpoint_candidates(run_dir: str | Path) -> list[Path]:
    """Every complete checkpoint of a run, in resume order: LATEST's first, then newest first.

    An aside copy (``.old-step_N-PID``, left by a writer killed mid-replacement) counts for step N
    while ``step_N`` itself is missing.
    """
    ckdir = checkpoints_dir(run_dir)
    if not ckdir.is_dir():
        return []
    by_name: dict[str, tuple[int, Path]] = {}
    for d in ckdir.iterdir():
        parsed = parse_step_dir(d.name)
        if parsed is None or d.name.startswith(TMP_PREFIX) or not d.is_dir() or not is_complete(d):
            continue
        step, name = parsed
        if d.name == name or name not in by_name:  # step_N beats its aside copy
            by_name[name] = (step, d)
    ordered = [d for _, d in sorted(by_name.values(), key=lambda sd: sd[0], reverse=True)]
    pointer = ckdir / "LATEST"
    if pointer.is_file():
        named = by_name.get(pointer.read_text(errors="replace").strip())
        if named is not None:
            ordered.remove(named[1])
            ordered.insert(0, named[1])
    return ordered


def latest_checkpoint(run_dir: str | Path) -> Path | None:
    """The checkpoint LATEST points to, or the newest complete one if the pointer is stale."""
    found = checkpoint_candidates(run_dir)
    return found[0] if found else None


STATE_KEYS = ("step", "epoch", "batch_in_epoch", "nets", "optim", "sched", "rng")


def load_state(path: str | Path) -> dict[str, Any]:
    """Read a ``state.pt`` safely (weights_only=True); a file that is no train state is a CheckpointError."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: train state not found")
    if path.stat().st_size == 0:
        raise CheckpointError(f"{path}: unreadable train state (empty file)")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # pickle errors, truncated files
        raise CheckpointError(f"{path}: unreadable train state ({_first_line(exc)})") from None
    missing = [k for k in STATE_KEYS if not isinstance(state, dict) or k not in state]
    if missing:
        raise CheckpointError(f"{path}: not a gan-translate train state (missing {', '.join(missing)})")
    return state


def _first_line(exc: BaseException) -> str:
    """The first non-empty line of an exception's message, else its type name (``IndexError()`` has none)."""
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return lines[0].strip() if lines else type(exc).__name__


def resolve_generator_file(model: str | Path) -> Path:
    """A run folder, a checkpoint directory or a generator file -> the generator file path."""
    p = Path(model)
    if p.is_dir():
        if (p / GEN_FILE).is_file():
            return p / GEN_FILE
        d = latest_checkpoint(p)
        if d is None:
            raise CheckpointError(f"{p}: no checkpoint found (expected {p}/checkpoints/step_*/{GEN_FILE})")
        return d / GEN_FILE
    if not p.exists():
        raise CheckpointError(f"{p}: no such file or folder")
    return p


# ----------------------------------------------------------------------------- reference files


def read_reference_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """The tensors of a reference-repo ``.pth``/``.ckpt`` (``weights_only``: nothing is unpickled)."""
    path = Path(path)
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise CheckpointError(f"{path}: not a loadable PyTorch state dict ({_first_line(exc)})") from None
    for key in ("state_dict", "model", "G", "netG"):
        if isinstance(obj, dict) and isinstance(obj.get(key), dict):
            obj = obj[key]
    if not isinstance(obj, dict) or not obj or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise CheckpointError(f"{path}: expected a state dict of tensors")
    return obj
