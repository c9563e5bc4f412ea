"""translate.runtime.modelinfo: net choice and model facts (shared by both backends)."""

from __future__ import annotations

import pytest

from translate.errors import ConfigError
from translate.runtime.modelinfo import info_from_meta, pick_net

NETS = {"G_A": {"direction": "AtoB"}, "G_B": {"direction": "BtoA"}}


def test_pick_net() -> None:
    assert pick_net(NETS, "G_A", None, None) == "G_A"
    assert pick_net(NETS, "G_A", None, "BtoA") == "G_B"
    assert pick_net(NETS, "G_A", "G_B", None) == "G_B"
    with pytest.raises(ConfigError, match="--net 'G'"):
        pick_net(NETS, "G_A", "G", None)
    with pytest.raises(ConfigError, match="expected AtoB or BtoA"):
        pick_net(NETS, "G_A", None, "up")
    with pytest.raises(ConfigError, match="translates only G: AtoB"):
        pick_net({"G": {"direction": "AtoB"}}, "G", None, "BtoA")


def test_info_from_meta_defaults() -> None:
    info = info_from_meta("m.onnx", "pix2pix", "G", {"arch": "unet_256", "input_multiple": "256", "direction": "BtoA"})
    assert (info.kind, info.input_multiple, info.direction, info.domains, info.z_dim) == ("image", 256, "BtoA", [], 0)


def test_fact_reads_nested_onnx_metadata() -> None:
    info = info_from_meta("m.onnx", "stargan", "G", {"net_meta": {"label_mode": "multi"}, "c_dim": 3})
    assert info.fact("label_mode") == "multi" and info.fact("c_dim") == 3 and info.fact("groups", []) == []
