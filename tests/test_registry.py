"""Registries: presets, option validation and helpful errors."""

import pytest

from translate.errors import ConfigError
from translate.registry import Registry


def make():
    reg = Registry("widget")

    @reg.register("small", size=1)
    @reg.register("big", size=10)
    def widget(size: int = 5, colour: str = "red"):
        """A widget."""
        return (size, colour)

    return reg


def test_presets_and_overrides():
    reg = make()
    assert reg.build("small") == (1, "red")
    assert reg.build("big", colour="blue") == (10, "blue")
    assert reg.names() == ["big", "small"] and "big" in reg and len(reg) == 2
    assert reg.entry("big").doc == "A widget."


def test_unknown_name_lists_available_and_suggests():
    with pytest.raises(ConfigError, match=r"unknown widget 'smal' \(did you mean 'small'\?\); available: big, small"):
        make().get("smal")


def test_unknown_option_lists_accepted():
    with pytest.raises(ConfigError, match="unknown option.*colr.*accepted: size, colour"):
        make().build("big", colr="x")


def test_double_registration_of_different_objects_fails():
    reg = make()
    with pytest.raises(ValueError):
        reg.add("big", lambda: None)
