"""Feature extractors for the sample metrics (``--features``), and the real-feature cache.

Every extractor sees images the same way (clean-fid's recommendation): PIL bicubic resize to the
extractor's side, quantised to uint8. Registered extractors:

| name | network | features | logits (IS, mode score) |
|---|---|---|---|
| ``pixels`` | none: the resized pixels in [-1, 1] (tiny images, the toy) | 3 x S x S | none |
| ``classifier`` | the domain-accuracy CNN trained on labelled real training images (cached) | 256 pooled | class logits |
| ``inception`` | the FID Inception-v3 (torch-fidelity/torchmetrics, TF 2015-12-05 weights) | 2048 pool3 | 1008 unbiased logits |

The Inception weights are never downloaded: ``--weights PATH`` or the cache
(``$TRANSLATE_CACHE/inception/``); when missing, a one-line error names the file, its checksum
and where to put it. Real features are cached per folder content (paths, sizes, mtimes) and
extractor identity as safetensors (no pickle).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np
import torch
from PIL import Image
from safetensors.numpy import load_file, save_file

from ..errors import ConfigError, InputError
from ..registry import Registry
from ..runtime.imagefiles import list_images, load_image
from ..runtime.processing import split_aligned
from .domain_classifier import ClassifierSettings, cache_dir, cached_classifier, files_fingerprint

INCEPTION_FILE = "weights-inception-2015-12-05-6726825d.pth"
INCEPTION_SHA256_PREFIX = "6726825d"  # torch hub convention: the name carries the sha256 prefix
INCEPTION_URL = "https://github.com/toshas/torch-fidelity/releases/download/v0.2.0/" + INCEPTION_FILE
RESIZE_RULE = "PIL bicubic to {size}x{size}, uint8"


@dataclass
class Extractor:
    """``run(uint8 [N, S, S, 3]) -> (features [N, D], logits [N, C] or None)`` at side ``size``."""

    name: str
    size: int
    run: Callable[[np.ndarray], tuple[np.ndarray, Optional[np.ndarray]]]
    identity: dict[str, Any] = field(default_factory=dict)  # part of the real-feature cache key

    @property
    def resize_rule(self) -> str:
        return RESIZE_RULE.format(size=self.size)


FEATURES: Registry[Callable[..., Extractor]] = Registry("feature extractor")


def to_uint8(img: Image.Image, size: int) -> np.ndarray:
    """The resize rule: RGB, PIL bicubic to ``size`` x ``size``, uint8 [S, S, 3]."""
    img = img.convert("RGB")
    if img.size != (size, size):
        img = img.resize((size, size), Image.BICUBIC)
    return np.asarray(img, dtype=np.uint8)


def arrays_to_uint8(x: np.ndarray, size: int) -> np.ndarray:
    """Model outputs [N, 3, H, W] in [-1, 1] -> uint8 [N, S, S, 3] by the same rule."""
    u8 = np.clip(np.rint((np.asarray(x, np.float32) + 1) * 127.5), 0, 255).astype(np.uint8).transpose(0, 2, 3, 1)
    return np.stack([to_uint8(Image.fromarray(a), size) for a in u8]) if len(u8) else u8


def _signed(u8: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(u8).permute(0, 3, 1, 2).float() / 127.5 - 1  # [N, 3, S, S] in [-1, 1]


@FEATURES.register("pixels")
def pixels(*, size: int = 0, **_: Any) -> Extractor:
    """Flattened resized pixels (default 32 px)."""
    s = size or 32
    return Extractor("pixels", s, lambda u8: (_signed(u8).reshape(len(u8), -1).numpy(), None), {"size": s})


def _labelled(folder: Path) -> tuple[list[Path], list[int], list[str]]:
    names = sorted(d.name for d in folder.iterdir() if d.is_dir() and not d.name.startswith(".")) if folder.is_dir() else []
    files, labels = [], []
    for k, n in enumerate(names):
        for p in list_images(folder / n, recursive=True):
            files.append(p)
            labels.append(k)
    if len(names) < 2 or not files:
        raise InputError(f"{folder}: classifier features need labelled real training images, one subfolder per class "
                         "(e.g. `translate datasets digits DIR --layout domains`, then --classifier-data DIR/train)")
    return files, labels, names


@FEATURES.register("classifier")
def classifier(*, classifier_data: str = "", size: int = 0, epochs: int = 15, **_: Any) -> Extractor:
    """Penultimate features and logits of the domain CNN trained on ``classifier_data/<class>/`` (cached)."""
    if not classifier_data:
        raise ConfigError("--features classifier needs --classifier-data DIR (real training images, one subfolder per class)")
    s = size or 32
    files, labels, names = _labelled(Path(classifier_data))
    st = ClassifierSettings(epochs=epochs)

    def images() -> torch.Tensor:
        return _signed(np.stack([to_uint8(load_image(p), s) for p in files]))

    def onehot() -> torch.Tensor:
        return torch.nn.functional.one_hot(torch.tensor(labels), len(names)).float()

    clf, path, _reused = cached_classifier(files, images, onehot, names, "single", s, st)

    @torch.no_grad()
    def run(u8: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        feats = clf.features(_signed(u8)).mean((2, 3))  # [N, 256]
        return feats.numpy(), clf.head(feats).numpy()

    return Extractor("classifier", s, run, {"size": s, "classifier": path.name})


def inception_weights(weights: str = "") -> Path:
    """The Inception weights file: ``weights`` or the cache; a one-line InputError when missing."""
    path = Path(weights) if weights else cache_dir() / "inception" / INCEPTION_FILE
    if not path.is_file():
        raise InputError(f"{path}: Inception-v3 FID weights not found; nothing is downloaded. Get {INCEPTION_FILE} "
                         f"(sha256 {INCEPTION_SHA256_PREFIX}..., {INCEPTION_URL}) and pass --weights PATH or put it at "
                         f"{cache_dir() / 'inception' / INCEPTION_FILE}")
    return path


@FEATURES.register("inception")
def inception(*, weights: str = "", **_: Any) -> Extractor:
    """torchmetrics' NoTrainInceptionV3 (torch-fidelity's FID network) on a local weights file."""
    try:
        from torchmetrics.image.fid import NoTrainInceptionV3
    except ImportError as e:  # pragma: no cover - torch-fidelity is a dependency
        raise ConfigError(f"--features inception needs torch-fidelity ({e})") from None
    path = inception_weights(weights)
    try:  # validate without running pickled code; torch-fidelity then loads the vetted file itself
        state = torch.load(path, map_location="cpu", weights_only=True)
        if not isinstance(state, dict) or "fc.weight" not in state:
            raise ValueError("not an Inception-v3 state dict (no fc.weight)")
    except Exception as e:
        raise InputError(f"{path}: not a usable Inception-v3 weights file ({str(e).splitlines()[0]})") from None
    net = NoTrainInceptionV3("inception-v3-compat", ["2048", "logits_unbiased"], str(path))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()

    @torch.no_grad()
    def run(u8: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = torch.from_numpy(u8).permute(0, 3, 1, 2).contiguous()  # uint8 [N, 3, 299, 299]
        feats, logits = net._torch_fidelity_forward(x)  # both heads in one pass (forward keeps the first)
        return feats.numpy(), logits.numpy()

    return Extractor("inception", 299, run, {"weights_sha256": digest})


def build_extractor(name: str, **options: Any) -> Extractor:
    """The extractor ``name`` (ConfigError listing the registered ones when unknown)."""
    return FEATURES.get(name)(**options)


def extract(ex: Extractor, batches: Any) -> tuple[np.ndarray, Optional[np.ndarray]]:
    """Stream uint8 batches [B, S, S, 3] through ``ex``; only the features are kept."""
    fs, ls = [], []
    for u8 in batches:
        f, lg = ex.run(u8)
        fs.append(f.astype(np.float32))
        if lg is not None:
            ls.append(lg.astype(np.float32))
    if not fs:
        raise InputError("no images to extract features from")
    return np.concatenate(fs), (np.concatenate(ls) if ls else None)


def read_image(path: Path, take: str = "") -> Image.Image:
    """An image file, or with ``take`` (``A``/``B``) one half of an aligned A|B file."""
    img = load_image(path)
    return split_aligned(img, take) if take else img


def folder_batches(files: list[Path], size: int, batch: int = 256, take: str = ""):
    """uint8 batches of ``files`` (their ``take`` half when set) by the resize rule."""
    for s in range(0, len(files), batch):
        yield np.stack([to_uint8(read_image(p, take), size) for p in files[s : s + batch]])


def subset(files: list[Path], num: int, seed: int = 0) -> list[Path]:
    """At most ``num`` of ``files``: a seeded random subset in file order (all when ``num`` <= 0).

    Random, not the first N: sorted paths group class folders (``train/0/``, ``train/1/``, ...)."""
    if num <= 0 or num >= len(files):
        return files
    keep = np.sort(np.random.default_rng(seed).choice(len(files), num, replace=False))
    return [files[i] for i in keep]


def folder_files(folder: str, num: int = 0, seed: int = 0) -> list[Path]:
    """Images under ``folder`` (recursive, sorted), a seeded subset of ``num`` when > 0; InputError when none."""
    files = list_images(folder, recursive=True)
    if not files:
        raise InputError(f"{folder}: no images found")
    return subset(files, num, seed)


def folder_features(ex: Extractor, folder: str, num: int = 0, cache: bool = True,
                    seed: int = 0) -> tuple[np.ndarray, Optional[np.ndarray], bool]:
    """(features, logits, from cache?) of the images in ``folder`` (``subset`` of ``num``), cached per content and extractor."""
    return files_features(ex, folder_files(folder, num, seed), cache=cache)


def files_features(ex: Extractor, files: list[Path], take: str = "", cache: bool = True) -> tuple[np.ndarray, Optional[np.ndarray], bool]:
    """(features, logits, from cache?) of image ``files`` (their ``take`` half), cached per content and extractor."""
    facts = {"files": files_fingerprint(files), "extractor": ex.name, **ex.identity, **({"take": take} if take else {})}
    key = hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:24]
    path = cache_dir() / "features" / f"{key}.safetensors"
    if cache and path.is_file():
        try:
            d = load_file(str(path))
            return d["features"], d.get("logits"), True
        except Exception:  # a corrupt entry is recomputed
            pass
    feats, logits = extract(ex, folder_batches(files, ex.size, take=take))
    if cache:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        save_file({"features": feats, **({"logits": logits} if logits is not None else {})}, str(tmp))
        os.replace(tmp, path)
    return feats, logits, False
