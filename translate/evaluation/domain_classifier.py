"""A small CNN domain classifier, independent of any GAN discriminator, cached as safetensors.

``translate eval domain-accuracy`` trains one on the real training images of a multi-domain data
folder and judges translations with it. The trained weights are cached under
``$TRANSLATE_CACHE`` (default ``~/.cache/gan-translate``) keyed by the training files (paths,
sizes, modification times), the labels and the training settings, so a second evaluation on the
same folder reuses it. Weights and facts are stored with safetensors (no pickle).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from torch import Tensor, nn


@dataclass
class ClassifierSettings:
    """How the classifier is trained (part of the cache key)."""

    width: int = 32  # channels of the first conv (doubling per stage)
    epochs: int = 15
    batch: int = 64
    lr: float = 1e-3
    seed: int = 0


class DomainClassifier(nn.Module):
    """conv3-ReLU then three (conv4 s2, BN, ReLU) stages, global average pool, linear -> C logits."""

    def __init__(self, c_dim: int, width: int = 32) -> None:
        super().__init__()
        w = width
        layers: list[nn.Module] = [nn.Conv2d(3, w, 3, padding=1), nn.ReLU(True)]
        for i in range(3):  # [N, w*2^i, H/2^i, W/2^i] -> [N, w*2^(i+1), H/2^(i+1), ...]
            layers += [nn.Conv2d(w * 2**i, w * 2 ** (i + 1), 4, stride=2, padding=1), nn.BatchNorm2d(w * 2 ** (i + 1)), nn.ReLU(True)]
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(w * 8, c_dim)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.features(x).mean((2, 3)))  # [N, 3, H, W] -> [N, C]


def loss_fn(logits: Tensor, labels: Tensor, mode: str) -> Tensor:
    """Softmax CE (single-label) or mean BCE (multi-label)."""
    if mode == "single":
        return F.cross_entropy(logits, labels.argmax(1))
    return F.binary_cross_entropy_with_logits(logits, labels)


def predict(clf: nn.Module, x: Tensor, mode: str, batch: int = 256) -> Tensor:
    """Predicted labels as 0/1 floats [N, C] (one-hot argmax or sigmoid > 0.5)."""
    clf.eval()
    outs = []
    with torch.no_grad():
        for s in range(0, len(x), batch):
            logits = clf(x[s : s + batch])
            if mode == "single":
                outs.append(F.one_hot(logits.argmax(1), logits.shape[1]).float())
            else:
                outs.append((logits > 0).float())
    return torch.cat(outs) if outs else torch.zeros(0)


def train_classifier(x: Tensor, y: Tensor, mode: str, s: ClassifierSettings) -> DomainClassifier:
    """Train on images [N, 3, H, W] in [-1, 1] and labels [N, C] (random flips off: domains may be chiral)."""
    g = torch.Generator().manual_seed(s.seed)
    torch.manual_seed(s.seed)
    clf = DomainClassifier(y.shape[1], s.width)
    opt = torch.optim.Adam(clf.parameters(), lr=s.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, max(1, s.epochs))
    for _ in range(s.epochs):
        clf.train()
        order = torch.randperm(len(x), generator=g)
        for i in range(0, len(x), s.batch):
            idx = order[i : i + s.batch]
            if len(idx) < 2:  # BatchNorm needs two samples
                continue
            opt.zero_grad(set_to_none=True)
            loss_fn(clf(x[idx]), y[idx], mode).backward()
            opt.step()
        sched.step()
    return clf.eval()


def cache_dir() -> Path:
    """``$TRANSLATE_CACHE`` or ``~/.cache/gan-translate`` (``$XDG_CACHE_HOME`` respected)."""
    env = os.environ.get("TRANSLATE_CACHE")
    return Path(env) if env else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gan-translate"


def files_fingerprint(files: list[Path]) -> str:
    """sha256 over (path, size, mtime) of ``files``, in order."""
    h = hashlib.sha256()
    for f in files:
        st = Path(f).stat()
        h.update(f"{Path(f).resolve()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def cached_classifier(
    files: list[Path], x: Any, y: Any, names: list[str], mode: str, size: int, s: ClassifierSettings, retrain: bool = False
) -> tuple[DomainClassifier, Path, bool]:
    """(classifier, cache file, reused?) for training data ``files``; ``x``/``y`` are callables
    loading the images/labels (only called when training is needed)."""
    facts = {"names": names, "mode": mode, "size": size, "settings": asdict(s), "files": files_fingerprint(files)}
    key = hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:20]
    path = cache_dir() / "domain_classifiers" / f"{key}.safetensors"
    clf = DomainClassifier(len(names), s.width)
    if path.is_file() and not retrain:
        try:
            clf.load_state_dict(load_file(str(path)))
            return clf.eval(), path, True
        except Exception:  # a corrupt cache entry is retrained and replaced
            pass
    clf = train_classifier(x(), y(), mode, s)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    state = {k: v.detach().contiguous() for k, v in clf.state_dict().items()}
    save_file(state, str(tmp), metadata={"facts": json.dumps(facts)})
    os.replace(tmp, path)
    return clf, path, False
