"""translate.modelinfo: net choice, domain vectors, latents and labels (shared by both backends)."""

from __future__ import annotations

import numpy as np
import pytest

from translate.errors import ConfigError
from translate.runtime.modelinfo import class_labels, domain_vector, info_from_meta, latent_batch, pick_net

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


def test_domain_vector_forms() -> None:
    doms = ["Black_Hair", "Blond_Hair", "Male"]
    assert domain_vector("Blond_Hair", doms, 3, 2).tolist() == [[0, 1, 0], [0, 1, 0]]
    assert domain_vector("Blond_Hair, Male", doms, 3, 1).tolist() == [[0, 1, 1]]
    assert domain_vector(["Male"], doms, 3, 1).tolist() == [[0, 0, 1]]
    assert domain_vector(0, doms, 3, 1).tolist() == [[1, 0, 0]]
    assert domain_vector([1, 0, 1], doms, 3, 2).shape == (2, 3)
    assert domain_vector(np.eye(3, dtype=np.float32)[:2], doms, 3, 2).dtype == np.float32
    with pytest.raises(ConfigError, match="unknown domain; this model has Black_Hair"):
        domain_vector("Red_Hair", doms, 3, 1)
    with pytest.raises(ConfigError, match="3 values per image"):
        domain_vector([1, 0], doms, 3, 1)
    with pytest.raises(ConfigError, match="out of range"):
        domain_vector(7, doms, 3, 1)


def test_latents_and_labels_are_seeded() -> None:
    a, b = latent_batch(4, 16, seed=3), latent_batch(4, 16, seed=3)
    assert a.shape == (4, 16) and a.dtype == np.float32 and np.array_equal(a, b)
    assert not np.array_equal(a, latent_batch(4, 16, seed=4))
    assert class_labels(2, 10, 3).tolist() == [2, 2, 2]
    assert class_labels(None, 10, 5).min() >= 0
    with pytest.raises(ConfigError, match="0..9"):
        class_labels([11], 10, 1)


def test_info_from_meta_defaults() -> None:
    info = info_from_meta("m.onnx", "pix2pix", "G", {"arch": "unet_256", "input_multiple": "256", "direction": "BtoA"})
    assert (info.kind, info.input_multiple, info.direction, info.domains, info.z_dim) == ("image", 256, "BtoA", [], 0)
