"""Per-kind controls of the web demo, built generically from a model's ``info``.

The UI holds one component per control name in ``CONTROLS`` and shows, hides and fills them from
the ``ControlState``s the model's kind returns; the same kind turns the controls' values back into
the conditioning passed to ``translate(images, **cond)`` (or ``sample(num, seed, psi)``). A new
generator kind adds one ``KindControls`` subclass registered in ``KIND_CONTROLS``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError, InputError
from ..registry import Registry
from ..runtime.conditioning import label_facts

CONTROLS = ("direction", "domain", "attributes", "seed", "count", "psi")
RESTING = {"direction": None, "domain": None, "attributes": [], "seed": 0, "count": 4, "psi": 1.0}  # values while hidden
MAX_COUNT = 16  # samples per request for unconditional models
DIRECTION_LABELS = {"AtoB": "A -> B", "BtoA": "B -> A"}


@dataclass
class ControlState:
    """How one control looks for the selected model (hidden unless ``visible``)."""

    visible: bool = False
    label: str = ""
    value: Any = None
    choices: list[Any] = field(default_factory=list)
    info: str = ""


class KindControls:
    """Controls of one generator kind: which are shown, and how their values condition the model."""

    needs_image = True  # False: the model generates from a seed (no upload)

    def states(self, info: Any, directions: list[str]) -> dict[str, ControlState]:
        """Control name -> state for a model of this kind (missing names are hidden)."""
        return {}

    def conditioning(self, info: Any, values: dict[str, Any]) -> dict[str, Any]:
        """Control values -> keyword conditioning for ``translate``/``sample``."""
        return {}


KIND_CONTROLS: Registry[type[KindControls]] = Registry("generator kind")


def _direction_state(info: Any, directions: list[str]) -> dict[str, ControlState]:
    if len(directions) < 2:
        return {}
    value = info.direction if info.direction in directions else directions[0]
    choices = [(DIRECTION_LABELS.get(d, d), d) for d in directions]
    return {"direction": ControlState(True, "Direction", value, choices, "which of the model's generators translates")}


@KIND_CONTROLS.register("image")
class ImageControls(KindControls):
    """pix2pix / CycleGAN: an image in; a direction choice when the file holds two generators."""

    def states(self, info: Any, directions: list[str]) -> dict[str, ControlState]:
        return _direction_state(info, directions)


def _label_mode(info: Any) -> str:
    """``domain`` (one target domain, StarGAN domain folders) or ``attributes`` (multi-label tables)."""
    return "domain" if label_facts(info)[0] == "single" else "attributes"


@KIND_CONTROLS.register("image+domain")
class DomainControls(KindControls):
    """StarGAN: an image in plus a target domain, or a set of target attributes."""

    def states(self, info: Any, directions: list[str]) -> dict[str, ControlState]:
        domains = list(info.domains)
        if not domains:
            raise ConfigError(f"{info.path}: a multi-domain model without domain names in its metadata")
        if _label_mode(info) == "domain":
            return {"domain": ControlState(True, "Target domain", domains[0], domains)}
        return {"attributes": ControlState(True, "Target attributes", [], domains, "checked = present, unchecked = absent")}

    def conditioning(self, info: Any, values: dict[str, Any]) -> dict[str, Any]:
        domains = list(info.domains)
        if _label_mode(info) == "domain":
            dom = values.get("domain") or domains[0]
            if dom not in domains:
                raise InputError(f"domain {dom!r}: this model knows {', '.join(domains)}")
            return {"domain": dom}
        checked = list(values.get("attributes") or [])
        unknown = [a for a in checked if a not in domains]
        if unknown:
            raise InputError(f"attributes {', '.join(map(str, unknown))}: this model knows {', '.join(domains)}")
        return {"domain": [1.0 if d in checked else 0.0 for d in domains]}  # label vector [C]: checked = 1


@KIND_CONTROLS.register("latent")
class LatentControls(KindControls):
    """DCGAN / StyleGAN: no image; seed, number of samples and truncation."""

    needs_image = False

    def states(self, info: Any, directions: list[str]) -> dict[str, ControlState]:
        return {
            "seed": ControlState(True, "Seed", 0, info="same seed, same images"),
            "count": ControlState(True, "Number of images", 4),
            "psi": ControlState(True, "Truncation psi", 1.0, info="1 = off; lower trades variety for quality"),
        }

    def conditioning(self, info: Any, values: dict[str, Any]) -> dict[str, Any]:
        try:
            seed = int(values.get("seed") or 0)
            count = int(values.get("count") or 1)
            psi = float(1.0 if values.get("psi") is None else values["psi"])
        except (TypeError, ValueError) as exc:
            raise InputError(f"seed/count/psi: expected numbers ({exc})") from None
        if not 1 <= count <= MAX_COUNT:
            raise InputError(f"count {count}: choose 1 to {MAX_COUNT} images")
        if seed < 0:
            raise InputError(f"seed {seed}: must be 0 or more")
        return {"num": count, "seed": seed, "psi": psi}


def kind_controls(info: Any) -> KindControls:
    """The controls of ``info.kind``."""
    return KIND_CONTROLS.get(info.kind)()


def control_states(info: Any, directions: list[str] = ()) -> dict[str, ControlState]:
    """Every name in ``CONTROLS`` -> its state for this model (hidden when the kind has no use for it)."""
    shown = kind_controls(info).states(info, list(directions))
    return {name: shown.get(name, ControlState(value=RESTING[name])) for name in CONTROLS}
