"""The model zoo folder: recipes (``models/<task>/<name>.yaml``), model cards and bundled weights.

In a source checkout or editable install this is the repository's ``models/``; in a wheel it ships
as ``translate/zoo``. Recipes may say ``base: <name>`` to extend another recipe of the same task.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .config import deep_merge, load_yaml
from .errors import ConfigError


def models_dir() -> Path:
    """The zoo folder (repository ``models/`` or the installed ``translate/zoo``)."""
    here = Path(__file__).resolve().parent
    for cand in (here.parent / "models", here / "zoo"):
        if cand.is_dir():
            return cand
    raise ConfigError("the model zoo folder (models/) is missing from this installation")


def recipe_names(task: str) -> list[str]:
    """Recipe names available for ``task``."""
    d = models_dir() / task
    return sorted(p.stem for p in d.glob("*.yaml")) if d.is_dir() else []


def recipe_path(task: str, name: str) -> Path:
    """``models/<task>/<name>.yaml``, or ``name`` itself when it is a path to a YAML file."""
    p = Path(name)
    if p.suffix in (".yaml", ".yml") and p.is_file():
        return p
    cand = models_dir() / task / f"{name}.yaml"
    if not cand.is_file():
        names = ", ".join(recipe_names(task)) or "none"
        raise ConfigError(f"no recipe {name!r} for task {task!r} (available: {names}; or give a YAML path)")
    return cand


def load_recipe(task: str, name: str, _seen: tuple[str, ...] = ()) -> dict[str, Any]:
    """A recipe as a dict, with ``base:`` chains resolved."""
    path = recipe_path(task, name)
    data = load_yaml(path)
    base = data.pop("base", None)
    if base:
        if base in _seen:
            raise ConfigError(f"{path}: recipe 'base' chain loops ({' -> '.join(_seen + (base,))})")
        data = deep_merge(load_recipe(task, base, _seen + (name,)), data)
    return data
