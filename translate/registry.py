"""Named registries: generators, discriminators, losses, tasks, datasets, optimisers.

Components register themselves with a decorator and are built by name, so configs and the CLI
refer to them as strings and adding one never touches an if/elif chain::

    @GENERATORS.register("unet_256", num_downs=8)
    class UnetGenerator(nn.Module): ...

    net = GENERATORS.build("unet_256", ngf=32)

Unknown names raise ``ConfigError`` listing the registered ones; unknown or mistyped keyword
options raise ``ConfigError`` listing the accepted ones.
"""

from __future__ import annotations

import difflib
import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, Iterator, TypeVar

from .errors import ConfigError

T = TypeVar("T")


@dataclass(frozen=True)
class Entry(Generic[T]):
    """One registered component: the callable, preset keyword defaults and free metadata."""

    name: str
    obj: T
    defaults: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    doc: str = ""

    def accepted_options(self) -> list[str]:
        """Keyword options the callable accepts (empty if it takes ``**kwargs``)."""
        try:
            sig = inspect.signature(self.obj)
        except (TypeError, ValueError):
            return []
        return [
            p.name
            for p in sig.parameters.values()
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != "self"
        ]

    def takes_var_kwargs(self) -> bool:
        try:
            sig = inspect.signature(self.obj)
        except (TypeError, ValueError):
            return True
        return any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values())


class Registry(Generic[T]):
    """A name -> component mapping with helpful errors."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, Entry[T]] = {}

    def register(
        self, name: str, *, meta: dict[str, Any] | None = None, **defaults: Any
    ) -> Callable[[T], T]:
        """Decorator registering ``obj`` under ``name``; ``defaults`` preset keyword options.

        The same callable may be registered several times with different presets
        (``unet_256`` and ``unet_128`` are one class with ``num_downs`` 8 and 7).
        """

        def deco(obj: T) -> T:
            self.add(name, obj, meta=meta, **defaults)
            return obj

        return deco

    def add(self, name: str, obj: T, *, meta: dict[str, Any] | None = None, **defaults: Any) -> None:
        """Register ``obj`` under ``name`` (non-decorator form)."""
        if name in self._entries and self._entries[name].obj is not obj:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        doc = (inspect.getdoc(obj) or "").split("\n\n")[0].replace("\n", " ")
        self._entries[name] = Entry(name, obj, dict(defaults), dict(meta or {}), doc)

    def entry(self, name: str) -> Entry[T]:
        """The entry for ``name``, or a ``ConfigError`` listing what exists."""
        try:
            return self._entries[name]
        except KeyError:
            close = difflib.get_close_matches(str(name), self._entries, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(
                f"unknown {self.kind} {name!r}{hint}; available: {', '.join(self.names())}"
            ) from None

    def get(self, name: str) -> T:
        """The registered callable for ``name``."""
        return self.entry(name).obj

    def options(self, name: str, **overrides: Any) -> dict[str, Any]:
        """Preset defaults for ``name`` merged with ``overrides``, validated against the signature."""
        e = self.entry(name)
        kwargs = {**e.defaults, **overrides}
        if not e.takes_var_kwargs():
            accepted = e.accepted_options()
            bad = sorted(k for k in kwargs if k not in accepted)
            if bad:
                raise ConfigError(
                    f"unknown option(s) {', '.join(bad)} for {self.kind} {name!r}; "
                    f"accepted: {', '.join(accepted)}"
                )
        return kwargs

    def build(self, name: str, *args: Any, **overrides: Any) -> Any:
        """Call the component registered as ``name`` with its presets and ``overrides``."""
        kwargs = self.options(name, **overrides)
        try:
            return self.entry(name).obj(*args, **kwargs)
        except TypeError as exc:  # wrong types/combination for a user-supplied option
            raise ConfigError(f"cannot build {self.kind} {name!r} with {kwargs}: {exc}") from exc

    def names(self) -> list[str]:
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {self.names()})"


GENERATORS: Registry[Any] = Registry("generator")
DISCRIMINATORS: Registry[Any] = Registry("discriminator")
LOSSES: Registry[Any] = Registry("GAN loss")
PENALTIES: Registry[Any] = Registry("penalty")
TASKS: Registry[Any] = Registry("task")
DATASETS: Registry[Any] = Registry("dataset layout")
SCHEDULES: Registry[Any] = Registry("LR schedule")
OPTIMIZERS: Registry[Any] = Registry("optimizer")

