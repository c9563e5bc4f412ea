"""The models a web demo serves: bundled defaults from the zoo plus runs and files given by the user.

Each ``ModelEntry`` loads its translators lazily (one per direction for files holding several
generators, e.g. CycleGAN's ``G_A``/``G_B``) behind a lock, so concurrent requests share one copy.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import zoo
from ..checkpoint import read_metadata
from ..config import load_yaml
from ..errors import ConfigError
from .backend import generator_file, open_model

BUNDLED_FOLDER = "default"  # models/<this>/*.safetensors are served when no model is given
DEFAULT_WORK_SIZE = 256


@dataclass
class ModelEntry:
    """One selectable model: where it lives, its card text and its lazily loaded translators."""
    name: str
    path: Path
    card: str = ""  # markdown of a model card beside the file (<stem>.md), if any
    bundled: bool = False
    device: str = "auto"
    prefer_onnx: bool = True
    _translators: dict[str, Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def label(self) -> str:
        """The name shown in the model menu."""
        return f"{self.name} (bundled)" if self.bundled else self.name

    def directions(self) -> list[str]:
        """The directions this file can translate in (two for CycleGAN files, else at most one)."""
        gen = generator_file(self.path)
        if gen.suffix.lower() == ".onnx":
            return []

        found = [m.get("direction", "") for m in read_metadata(gen)["nets"].values()]
        found = [d for d in dict.fromkeys(found) if d]
        return found if len(found) > 1 else []

    def translator(self, direction: str | None = None) -> Any:
        """The translator for ``direction`` (None: the file's default generator), loaded once."""
        key = direction or ""
        with self._lock:
            if key not in self._translators:
                self._translators[key] = open_model(self.path, direction=direction, prefer_onnx=self.prefer_onnx, device=self.device)
            return self._translators[key]

    @property
    def info(self) -> Any:
        """``ModelInfo`` of the default generator."""
        return self.translator().info

    def work_size(self) -> int:
        """The demo's working size (longer side): the file's ``work_size``, else its training crop."""
        info = self.info
        return int(info.extra.get("work_size") or info.crop_size or DEFAULT_WORK_SIZE)


def _model_name(path: Path) -> str:
    """A readable name: the run folder for checkpoints inside runs, else the file stem."""
    if path.is_dir():
        return path.resolve().name
    if path.name == "generator.safetensors":
        parts = path.resolve().parts
        return parts[-4] if len(parts) >= 4 and parts[-3] == "checkpoints" else path.resolve().parent.name
    return path.stem


def _card_beside(path: Path) -> str:
    card = path.with_suffix(".md") if path.is_file() else path / "MODEL_CARD.md"
    return card.read_text(encoding="utf-8") if card.is_file() else ""


def bundled_paths() -> list[Path]:
    """The bundled default models (``models/default/*.safetensors``) in menu order.

    ``models/default/menu.yaml`` may list model names under ``order:``; the others follow by name.
    """

    folder = zoo.models_dir() / BUNDLED_FOLDER
    if not folder.is_dir():
        return []
    menu = folder / "menu.yaml"
    order = list((load_yaml(menu) or {}).get("order", [])) if menu.is_file() else []
    rank = {name: i for i, name in enumerate(order)}
    return sorted(folder.glob("*.safetensors"), key=lambda p: (rank.get(p.stem, len(rank)), p.stem))


class Catalogue:
    """Name -> ``ModelEntry``, in menu order (given models first, then the bundled ones)."""
    def __init__(self, entries: list[ModelEntry]) -> None:
        if not entries:
            raise ConfigError("no models to serve: give a run folder, .safetensors or .onnx file (models/default/ is empty)")
        self.entries: dict[str, ModelEntry] = {}
        for e in entries:
            name, n = e.name, 2
            while name in self.entries:
                name, n = f"{e.name}-{n}", n + 1
            e.name = name
            self.entries[name] = e

    @classmethod
    def build(cls, models: list[str] = (), *, bundled: bool = True, device: str = "auto", prefer_onnx: bool = True) -> "Catalogue":
        """Entries for the given model paths plus (``bundled``) the zoo's default models."""
        entries = []
        for m in models:
            p = Path(m)
            if not p.exists():
                raise ConfigError(f"{m}: no such run folder or model file")
            entries.append(ModelEntry(_model_name(p), p, _card_beside(p), False, device, prefer_onnx))
        if bundled:
            entries += [ModelEntry(p.stem, p, _card_beside(p), True, device, prefer_onnx) for p in bundled_paths()]
        return cls(entries)

    def names(self) -> list[str]:
        return list(self.entries)

    def choices(self) -> list[tuple[str, str]]:
        """(label, name) pairs for a dropdown."""
        return [(e.label, e.name) for e in self.entries.values()]

    def get(self, name: str | None) -> ModelEntry:
        """The entry called ``name`` (None or empty: the first one)."""
        if not name:
            return next(iter(self.entries.values()))
        try:
            return self.entries[name]
        except KeyError:
            raise ConfigError(f"unknown model {name!r}; available: {', '.join(self.entries)}") from None

    def preload(self) -> None:
        """Load every model's default translator now, so a bad file fails at start-up, not on a request."""
        for e in self.entries.values():
            e.translator()
