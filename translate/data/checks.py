"""Input checks: cheap structural checks at dataset construction, full scans, layout detection.

Construction of every dataset checks that folders exist and hold images and reads the headers
of a small, evenly spaced sample of files (size limit, odd aligned widths), so a wrong folder
fails in a second with a message naming it. ``scan_folder`` (``translate datasets check DIR``)
decodes every image and lists each bad file with its reason.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import DataConfig
from ..errors import InputError
from ..registry import DATASETS
from ..runtime.imagefiles import IMG_EXTENSIONS, list_images, load_image, open_header
from .base import check_min_side, with_skip_hint

log = logging.getLogger("translate.data")
LOOKED_FOR = ", ".join(IMG_EXTENSIONS[:4]) + ", …"


# ----------------------------------------------------------------------------- construction checks


def require_dir(path: str | Path, expected: str = "") -> Path:
    """``path`` as a Path, or InputError ``"<path>: no such folder (expected …)"``."""
    p = Path(path)
    if not p.is_dir():
        what = "not a folder" if p.exists() else "no such folder"
        raise InputError(f"{p}: {what}" + (f" (expected {expected})" if expected else ""))
    return p


def require_images(folder: str | Path, recursive: bool = False, expected: str = "") -> list[Path]:
    """The images in ``folder``, or InputError when there is none."""
    p = require_dir(folder, expected)
    files = list_images(p, recursive=recursive)
    if not files:
        where = " or its sub-folders" if recursive else ""
        raise InputError(f"{p}: no images found{where} (looked for {LOOKED_FOR})")
    return files


def split_dir(root: str | Path, split: str, fallback: bool = False, expected: str = "") -> Path:
    """``ROOT/<split>``; with ``fallback`` a missing train split means ROOT itself (logged)."""
    root = require_dir(root)
    d = root / split
    if d.is_dir():
        return d
    if fallback and split == "train":
        log.info("%s: no %s/ folder; using the images under %s itself for training", root, split, root)
        return root
    have = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    listing = f"; sub-folders: {', '.join(have[:10])}" if have else ""
    raise InputError(f"{d}: no such split folder" + (f" (expected {expected})" if expected else "") + listing)


def sample(items: Sequence[Any], k: int = 16) -> list[Any]:
    """Up to ``k`` evenly spaced items (always the first and the last)."""
    n = len(items)
    if n <= k:
        return list(items)
    return [items[round(i * (n - 1) / (k - 1))] for i in range(k)]


def header_pass(
    paths: Sequence[Path],
    cfg: DataConfig,
    check: Callable[[Path, tuple[int, int]], None] | None = None,
    bad: dict[str, str] | None = None,
) -> None:
    """Read the headers of a sample of ``paths``; raise (or record in ``bad`` when skip_bad)."""
    for p in sample(paths):
        try:
            size, _ = open_header(p, cfg.max_pixels)
            check_min_side(p, size)
            if check is not None:
                check(p, size)
        except InputError as err:
            if not cfg.skip_bad or bad is None:
                raise InputError(with_skip_hint(str(err))) from None
            bad.setdefault(str(p), str(err))
            log.warning("skipping bad file (data.skip_bad): %s", err)


# ----------------------------------------------------------------------------- full scan


@dataclass
class Report:
    """The result of ``scan_folder``: counts, sizes, modes, bad files and structural problems."""

    root: str
    layout: str = ""
    images: int = 0
    other_files: int = 0
    bad: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    problems: list[str] = field(default_factory=list)  # layout-level errors (one line each)
    modes: Counter = field(default_factory=Counter)
    min_size: tuple[int, int] | None = None
    max_size: tuple[int, int] | None = None

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.bad and not self.problems

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict."""
        return {
            "root": self.root, "layout": self.layout, "images": self.images,
            "other_files": self.other_files, "bad": [list(b) for b in self.bad],
            "problems": list(self.problems), "modes": dict(self.modes),
            "min_size": self.min_size, "max_size": self.max_size, "ok": self.ok,
        }

    def summary(self) -> str:
        """Human-readable multi-line summary."""
        lines = [f"{self.root}: layout {self.layout or '?'}, {self.images} images"
                 + (f", sizes {self.min_size} .. {self.max_size}" if self.min_size else "")]
        if self.modes:
            lines.append("modes: " + ", ".join(f"{m} {n}" for m, n in self.modes.most_common()))
        lines += [f"problem: {p}" for p in self.problems]
        lines += [f"bad: {reason}" for _, reason in self.bad]
        lines.append("OK" if self.ok else f"{len(self.bad)} bad files, {len(self.problems)} problems")
        return "\n".join(lines)


def _check_one(path: Path, full: bool, max_pixels: int) -> tuple[tuple[int, int], str]:
    size, mode = open_header(path, max_pixels)
    check_min_side(path, size)
    if full:
        load_image(path, max_pixels=max_pixels)
    return size, mode


def _split_problems(root: Path, layout: str, split: str, max_pixels: int) -> list[str]:
    """Build one split's dataset and run its full check; errors become problem lines."""
    # skip_bad: bad headers met while building are recorded, so full_check can list every problem
    cfg = DataConfig(root=str(root), layout=layout, max_pixels=max_pixels, derive="colorization", skip_bad=True)
    try:
        return DATASETS.build(layout, cfg, split=split, train=False).full_check()
    except InputError as err:
        return [str(err)]


def _layout_problems(root: Path, layout: str, splits: Iterable[str], max_pixels: int) -> list[str]:
    """Problems of every split that exists (the scan reports bad files itself, so stay quiet)."""
    logger = logging.getLogger("translate.data")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        return [p for split in splits for p in _split_problems(root, layout, split, max_pixels)]
    finally:
        logger.setLevel(level)


def scan_folder(
    root: str | Path,
    layout: str = "auto",
    full: bool = True,
    max_pixels: int = 40_000_000,
    workers: int = 4,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Check every image under ``root`` (decoding each when ``full``) and the layout's structure."""
    root = require_dir(root)
    report = Report(str(root))
    files = [p for p in root.rglob("*") if p.is_file() and not any(
        part.startswith(".") for part in p.relative_to(root).parts)]
    images = [p for p in files if p.suffix.lower() in IMG_EXTENSIONS]
    report.images, report.other_files = len(images), len(files) - len(images)

    def work(p: Path) -> tuple[Path, Any]:
        try:
            return p, _check_one(p, full, max_pixels)
        except InputError as err:
            return p, err

    sizes = []
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:  # PIL decodes without the GIL
        for i, (p, res) in enumerate(pool.map(work, images)):
            if isinstance(res, InputError):
                report.bad.append((str(p), str(res)))
            else:
                sizes.append(res[0])
                report.modes[res[1]] += 1
            if progress:
                progress(i + 1, len(images))
    if sizes:
        report.min_size = min(sizes, key=lambda s: s[0] * s[1])
        report.max_size = max(sizes, key=lambda s: s[0] * s[1])
    if not images:
        report.problems.append(f"{root}: no images found (looked for {LOOKED_FOR})")
        return report
    try:
        report.layout = detect_layout(root, "train") if layout == "auto" else layout
    except InputError as err:
        report.problems.append(str(err))
        return report
    splits = [s for s in ("train", "val", "test") if _split_exists(root, report.layout, s)] or ["train"]
    report.problems += _layout_problems(root, report.layout, splits, max_pixels)
    return report


# how each layout marks a split on disk (default: ROOT/<split>/); attribute tables always have both
_SPLIT_MARK: dict[str, Callable[[Path, str], bool]] = {
    "unpaired": lambda r, s: (r / f"{s}A").is_dir() or (r / s / "A").is_dir(),
    "attributes": lambda r, s: s in ("train", "test"),
}


def _split_exists(root: Path, layout: str, split: str) -> bool:
    return _SPLIT_MARK.get(layout, lambda r, s: (r / s).is_dir())(root, split)


# ----------------------------------------------------------------------------- layout detection

ATTR_TABLES = ("list_attr_celeba.txt",)


def split_root(root: Path, split: str) -> Path:
    """``ROOT/<split>``, or ROOT itself for a train split without its folder (as the datasets read it)."""
    d = root / split
    return root if split == "train" and not d.is_dir() else d


def pair_dirs(root: str | Path, split: str) -> tuple[Path, Path] | None:
    """The A and B folders of a split: ``ROOT/<split>A`` + ``ROOT/<split>B`` (CycleGAN), else
    ``ROOT/<split>/A`` + ``ROOT/<split>/B`` (for train also ``ROOT/A`` + ``ROOT/B``); None when neither."""
    r = Path(root)
    for a, b in ((r / f"{split}A", r / f"{split}B"), (split_root(r, split) / "A", split_root(r, split) / "B")):
        if a.is_dir() and b.is_dir():
            return a, b
    return None


def _aligned_like(folder: Path) -> bool:
    sizes = []
    for p in sample(list_images(folder), 8) if folder.is_dir() else []:
        try:
            sizes.append(open_header(p, DataConfig.max_pixels)[0])
        except InputError:  # a bad file says nothing about the layout
            continue
    # one even width for all, halves at least as wide as tall (pix2pix sets: 512x256, 1200x600)
    return bool(sizes) and len({w for w, _ in sizes}) == 1 and all(w % 2 == 0 and h <= w // 2 for w, h in sizes)


def _domain_dirs(folder: Path) -> list[Path]:
    return [d for d in sorted(folder.iterdir()) if d.is_dir() and not d.name.startswith(".")
            and list_images(d, recursive=True)] if folder.is_dir() else []


def _pair_folders(r: Path, s: str) -> bool:
    return (split_root(r, s) / "A").is_dir() and (split_root(r, s) / "B").is_dir()


# (layout, what it expects, test(root, split)) in the order they are tried; a train split without
# its folder is looked for in ROOT itself, as the datasets read it
DETECTORS: list[tuple[str, str, Callable[[Path, str], bool]]] = [
    ("attributes", "ROOT/list_attr_celeba.txt + images",
     lambda r, s: any((r / t).is_file() for t in ATTR_TABLES)),
    ("folders", "ROOT/<split>/A/ and ROOT/<split>/B/ with matching names, or ROOT/A/ and ROOT/B/", _pair_folders),
    ("unpaired", "ROOT/<split>A/ and ROOT/<split>B/, ROOT/<split>/A/ and ROOT/<split>/B/, or ROOT/A/ and ROOT/B/",
     lambda r, s: pair_dirs(r, s) is not None),
    ("aligned", "ROOT/<split>/*.jpg of one even width, each A|B side by side, halves not taller than wide",
     lambda r, s: _aligned_like(split_root(r, s))),
    ("domains", "ROOT/<split>/<domain>/* or ROOT/<domain>/*, two or more domain folders",
     lambda r, s: not list_images(split_root(r, s)) and len(_domain_dirs(split_root(r, s))) >= 2),
    ("single", "any images under ROOT, at any depth",
     lambda r, s: bool(list_images(r, recursive=True))),
]
EXPECTS = {name: expects for name, expects, _ in DETECTORS}


def matching_layouts(root: str | Path, split: str = "train") -> list[str]:
    """Every layout ``root`` can be read as, in detection order; InputError listing what each expects."""
    r = require_dir(root)
    found = [name for name, _, test in DETECTORS if test(r, split)]
    if not found:
        tried = "; ".join(f"{name} ({expects})" for name, expects, _ in DETECTORS)
        raise InputError(f"{r}: cannot tell the data layout; tried {tried}. Set data.layout explicitly")
    return found


def detect_layout(root: str | Path, split: str = "train") -> str:
    """The layout name for ``layout: auto`` (the first that fits); InputError listing what each expects."""
    return matching_layouts(root, split)[0]


def resolve_layout(cfg: DataConfig, split: str = "train") -> str:
    """``cfg.layout``, or the detected one for ``auto`` (``derived`` when ``cfg.derive`` is set)."""
    if cfg.layout != "auto":
        return cfg.layout
    if cfg.derive:
        return "derived"
    return detect_layout(cfg.root, split)
