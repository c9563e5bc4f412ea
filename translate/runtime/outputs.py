"""Where each output of ``translate predict`` goes, planned before anything is written.

The naming rule (documented in ``translate predict --help`` and the README):

- an input ``DIR/sub/cat.jpg`` given as a folder ``DIR`` is written to ``OUT/sub/cat.png``; a file
  or glob match ``cat.jpg`` to ``OUT/cat.png`` (the stem, the extension replaced by ``.png``);
- when several inputs would get the same output name (``cat.jpg`` and ``cat.png``), *each* of
  them is named by its full file name instead, the dot of the extension turned into ``_``:
  ``cat_jpg.png`` and ``cat_png.png``; a note lists the renamed files;
- names that still clash (``a/x.png`` and ``b/x.png`` given as two arguments) are refused.

Nothing is ever written over an input file or over a file already in ``OUT`` unless
``overwrite`` is set (``--overwrite``). Torch-free: standard library only.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path
from typing import Sequence

from ..errors import InputError


def full_name_stem(src: Path, rel: Path) -> Path:
    """``rel``'s folder + the input's full name with the extension's dot as ``_`` (``cat.jpg`` -> ``cat_jpg``)."""
    return rel.parent / (f"{src.stem}_{src.suffix[1:]}" if src.suffix else src.name)


def _first_and_count(paths: Sequence[Path]) -> str:
    return f"{paths[0]}" + (f" (and {len(paths) - 1} more)" if len(paths) > 1 else "")


def plan_outputs(files: Sequence[tuple[Path, Path]], out_dir: str | Path, *, overwrite: bool = False,
                 log=lambda s: print(s, file=sys.stderr)) -> list[tuple[Path, Path]]:
    """(input, output PNG) for every (input, relative stem) of ``expand_inputs``, checked before any write.

    Raises ``InputError`` (one line) when two inputs would write one file, or (unless ``overwrite``)
    when an output would replace an input file or a file that already exists.
    """
    out = Path(out_dir)
    unique: dict[Path, tuple[Path, Path]] = {}
    for src, rel in files:  # the same file given twice (``in/ in/*.png``) is translated once
        unique.setdefault(src.resolve(), (src, rel))
    by_name: dict[Path, list[tuple[Path, Path]]] = defaultdict(list)
    for src, rel in unique.values():
        by_name[out / rel.with_suffix(".png")].append((src, rel))
    dest_of: dict[Path, Path] = {}
    for dest, group in by_name.items():
        if len(group) == 1:
            dest_of[group[0][0]] = dest
            continue
        renamed = [(src, out / full_name_stem(src, rel).with_suffix(".png")) for src, rel in group]
        log(f"note: {', '.join(s.name for s, _ in group)} share the output name {dest.name}: written as "
            f"{', '.join(d.name for _, d in renamed)}")
        dest_of.update(renamed)
    plan = [(src, dest_of[src]) for src, _ in unique.values()]  # input order
    writers: dict[Path, list[Path]] = defaultdict(list)
    for src, dest in plan:
        writers[dest.resolve()].append(src)
    clashes = [(d, s) for d, s in writers.items() if len(s) > 1]
    if clashes:
        dest, srcs = clashes[0]
        more = f" ({len(clashes) - 1} more output(s) clash)" if len(clashes) > 1 else ""
        raise InputError(f"{' and '.join(map(str, srcs))} would both be written to {dest}{more}: "
                         f"translate them into separate --out folders")
    if not overwrite:
        inputs = set(unique)
        over_inputs = [d for s, d in plan if d.resolve() in inputs]
        if over_inputs:
            raise InputError(f"--out {out}: would write over the input file {_first_and_count(over_inputs)}; "
                             f"choose another --out folder (or pass --overwrite to replace the inputs)")
        refuse_existing([d for _, d in plan], out)
    return plan


def refuse_existing(dests: Sequence[Path], out_dir: str | Path) -> None:
    """``InputError`` naming the first of ``dests`` that already exists (``--overwrite`` replaces them)."""
    existing = [d for d in dests if d.exists()]
    if existing:
        raise InputError(f"--out {out_dir}: {_first_and_count(existing)} already exists; "
                         f"choose an empty --out folder or pass --overwrite")
