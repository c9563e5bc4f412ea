"""Per-kind controls built from synthetic model infos (kinds whose tasks need not exist here)."""

from __future__ import annotations

import pytest

from tests.webapp.helpers import info
from translate.errors import ConfigError, InputError
from translate.webapp.controls import CONTROLS, KIND_CONTROLS, MAX_COUNT, control_states, kind_controls


def visible(states):
    return sorted(k for k, s in states.items() if s.visible)


def test_every_kind_fills_every_control():
    assert set(KIND_CONTROLS.names()) >= {"image", "image+domain", "latent"}
    for kind, extra in [("image", {}), ("image+domain", {"domains": ["a", "b"]}), ("latent", {})]:
        states = control_states(info(kind, **extra), [])
        assert list(states) == list(CONTROLS)


def test_image_kind_shows_direction_only_with_two_generators():
    assert visible(control_states(info("image", direction="AtoB"), [])) == []
    states = control_states(info("image", direction="BtoA"), ["AtoB", "BtoA"])
    assert visible(states) == ["direction"]
    assert states["direction"].value == "BtoA"
    assert [v for _, v in states["direction"].choices] == ["AtoB", "BtoA"]
    assert kind_controls(info("image")).conditioning(info("image"), {"direction": "AtoB"}) == {}


def test_domain_kind_single_label():
    i = info("image+domain", domains=["Black_Hair", "Blond_Hair", "Male"])
    states = control_states(i, [])
    assert visible(states) == ["domain"]
    assert states["domain"].choices == ["Black_Hair", "Blond_Hair", "Male"] and states["domain"].value == "Black_Hair"
    k = kind_controls(i)
    assert k.conditioning(i, {"domain": "Male"}) == {"domain": "Male"}
    assert k.conditioning(i, {"domain": None}) == {"domain": "Black_Hair"}
    with pytest.raises(InputError, match="domain 'Bald'"):
        k.conditioning(i, {"domain": "Bald"})


def test_domain_kind_attributes():
    i = info("image+domain", domains=["Blond_Hair", "Male", "Young"], extra={"label_mode": "multi"})
    states = control_states(i, [])
    assert visible(states) == ["attributes"] and states["attributes"].choices == ["Blond_Hair", "Male", "Young"]
    k = kind_controls(i)
    assert k.conditioning(i, {"attributes": ["Young"]}) == {"domain": [0.0, 0.0, 1.0]}
    with pytest.raises(InputError, match="Smiling"):
        k.conditioning(i, {"attributes": ["Smiling"]})
    with pytest.raises(ConfigError, match="domain names"):
        control_states(info("image+domain", domains=[]), [])


def test_label_mode_is_found_in_onnx_metadata():
    # ONNX files keep the generator's facts under "net_meta"; a multi-label export gets checkboxes
    i = info("image+domain", domains=["Blond_Hair", "Male"], extra={"net_meta": {"label_mode": "multi"}})
    assert visible(control_states(i, [])) == ["attributes"]


def test_latent_kind_seed_count_psi():
    i = info("latent", z_dim=100)
    states = control_states(i, [])
    assert visible(states) == ["count", "psi", "seed"]
    k = kind_controls(i)
    assert not k.needs_image
    assert k.conditioning(i, {"seed": 7, "count": 3, "psi": 0.5}) == {"num": 3, "seed": 7, "psi": 0.5}
    assert k.conditioning(i, {"seed": None, "count": None, "psi": None}) == {"num": 1, "seed": 0, "psi": 1.0}
    with pytest.raises(InputError, match="count"):
        k.conditioning(i, {"count": MAX_COUNT + 1})
    with pytest.raises(InputError, match="seed"):
        k.conditioning(i, {"seed": -1})


def test_hidden_controls_rest_at_defaults_and_unknown_kind_is_named():
    states = control_states(info("image"), [])
    assert states["seed"].value == 0 and states["count"].value == 4 and states["psi"].value == 1.0
    with pytest.raises(ConfigError, match="generator kind 'video'"):
        odd = info("latent")
        odd.kind = "video"
        control_states(odd, [])
