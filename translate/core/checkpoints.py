"""Run checkpoints on disk: atomic writes and replacement, pruning, recovery after a kill, resume choice.

A checkpoint is ``checkpoints/step_N/{generator.safetensors,state.pt[,KEEP]}``. It is written into
``.tmp-step_N-PID`` and renamed into place. Re-saving an existing step (a resumed run that stops at
once, a finished run resumed) renames the old folder aside to ``.old-step_N-PID`` first, renames
the new one in, points LATEST at it and only then deletes the old one: a kill at any instant
leaves the old or the new checkpoint complete, and ``translate.checkpoint.checkpoint_candidates``
finds it. ``recover`` (run on resume) puts an aside copy back when its step is missing and removes
what dead writers left.

``TRANSLATE_CKPT_PAUSE=SECONDS`` (a test hook) pauses after each rename of a replacement, so that
crash tests can kill inside that window.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any, Callable

import torch

from .. import checkpoint as ckpt
from ..data.workers import process_alive
from ..errors import CheckpointError

PAUSE_ENV = "TRANSLATE_CKPT_PAUSE"


def write_run_checkpoint(
    run_dir: str | Path,
    step: int,
    write_generators: Callable[[Path], Any],
    state: dict[str, Any],
    *,
    keep: bool,
    keep_last: int = 0,
) -> Path:
    """Write ``checkpoints/step_N/`` atomically (replacing an existing one safely), point LATEST at it, prune.

    ``write_generators(path)`` writes the generator file; ``state`` is saved with torch.save.
    ``keep`` marks a periodic checkpoint (kept); the others are superseded by the next one.
    """
    ckdir = ckpt.checkpoints_dir(run_dir)
    ckdir.mkdir(parents=True, exist_ok=True)
    name = ckpt.step_dir_name(step)
    final = ckdir / name
    tmp = ckdir / f"{ckpt.TMP_PREFIX}{name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    write_generators(tmp / ckpt.GEN_FILE)
    if keep or (final / ckpt.KEPT_MARK).exists():  # re-saving a periodic step keeps it periodic
        (tmp / ckpt.KEPT_MARK).touch()
    with open(tmp / ckpt.STATE_FILE, "wb") as f:
        torch.save(state, f)
        f.flush()
        os.fsync(f.fileno())
    _fsync_dir(tmp)
    aside = None
    if final.exists():
        aside = ckdir / f"{ckpt.ASIDE_PREFIX}{name}-{os.getpid()}"
        shutil.rmtree(aside, ignore_errors=True)
        os.replace(final, aside)  # from here until the next rename only the aside copy is complete
        _pause()
    os.replace(tmp, final)
    _fsync_dir(ckdir)
    ckpt.atomic_write_bytes(ckdir / "LATEST", name.encode())
    if aside is not None:
        _pause()
        shutil.rmtree(aside, ignore_errors=True)
    _prune(ckdir, name, keep_last)
    return final


def _prune(ckdir: Path, current: str, keep_last: int) -> None:
    """Drop superseded non-periodic checkpoints and periodic ones beyond the newest ``keep_last``."""
    recover(ckdir.parent)  # our own temporaries and those of dead writers (an aside copy goes back first)
    dirs = sorted(d for d in ckdir.glob("step_*") if d.is_dir())
    kept = [d for d in dirs if (d / ckpt.KEPT_MARK).exists()]
    for d in dirs:
        if d.name != current and d not in kept:
            shutil.rmtree(d, ignore_errors=True)
    if keep_last > 0:
        for d in kept[: max(0, len(kept) - keep_last)]:
            if d.name != current:
                shutil.rmtree(d, ignore_errors=True)


def recover(run_dir: str | Path) -> list[str]:
    """Repair what a killed writer left in ``checkpoints/``; returns a note per repair.

    An aside copy whose step folder is missing is renamed back (it is the complete old checkpoint);
    other temporaries and aside copies of dead writers are removed, and so are their temporary
    files (``.LATEST.tmp-PID`` here, ``.config.yaml.tmp-PID`` in the run folder). Live writers' stay.
    """
    ckdir = ckpt.checkpoints_dir(run_dir)
    if not ckdir.is_dir():
        return []
    notes = []
    for f in [*_leftovers(ckdir, files=True), *_leftovers(Path(run_dir), files=True)]:
        f.unlink(missing_ok=True)
    for d in _leftovers(ckdir):
        parsed = ckpt.parse_step_dir(d.name)
        final = ckdir / parsed[1] if parsed else None
        if d.name.startswith(ckpt.ASIDE_PREFIX) and final is not None and not final.exists() and ckpt.is_complete(d):
            os.replace(d, final)
            notes.append(f"restored {final.name} from {d.name} (a save was cut off while replacing it)")
        else:
            shutil.rmtree(d, ignore_errors=True)
            notes.append(f"removed {d.name} (left by a cut-off save)")
    return notes


def _leftovers(ckdir: Path, files: bool = False) -> list[Path]:
    """Temporary and aside folders (or ``.NAME.tmp-PID`` files) of this process or of processes no longer running."""
    out = []
    for d in ckdir.iterdir():
        if files and not (d.name.startswith(".") and ".tmp-" in d.name and d.is_file()):
            continue
        if not files and not (d.name.startswith((ckpt.TMP_PREFIX, ckpt.ASIDE_PREFIX)) and d.is_dir()):
            continue
        pid = d.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or int(pid) == os.getpid() or not process_alive(int(pid)):
            out.append(d)
    return out


def load_checkpoint(d: Path) -> dict[str, Any]:
    """The train state of checkpoint folder ``d``, after checking that its generator file reads too."""
    state = ckpt.load_state(d / ckpt.STATE_FILE)
    ckpt.read_generator_tensors(d / ckpt.GEN_FILE)
    return state


def choose_for_resume(run_dir: str | Path) -> tuple[Path, dict[str, Any], list[str]]:
    """The newest loadable checkpoint (LATEST's first), its state and a warning per broken one skipped."""
    warnings = []
    for d in ckpt.checkpoint_candidates(run_dir):
        try:
            return d, load_checkpoint(d), warnings
        except CheckpointError as exc:
            warnings.append(f"skipped broken checkpoint {d.name}: {exc}")
    run_dir = Path(run_dir)
    why = f"; {len(warnings)} broken: {'; '.join(warnings)}" if warnings else ""
    raise CheckpointError(f"{run_dir}: nothing to resume (no loadable checkpoint in {run_dir / 'checkpoints'}{why})")


def _pause() -> None:
    seconds = os.environ.get(PAUSE_ENV)
    if seconds:
        time.sleep(float(seconds))


def _fsync_dir(d: Path) -> None:
    """Make renames in ``d`` durable (POSIX; a no-op where directories cannot be opened)."""
    try:
        fd = os.open(d, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
