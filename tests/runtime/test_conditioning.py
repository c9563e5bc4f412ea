"""translate.runtime.conditioning and runtime.latent: the inputs both backends build the same way."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from translate.errors import ConfigError
from translate.runtime.conditioning import all_targets, class_labels, condition, domain_vector, flip_one
from translate.runtime.latent import interpolate_latents, latent_batch
from translate.runtime.modelinfo import info_from_meta


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




def test_domain_index_digits_without_names() -> None:
    """Reference checkpoints carry no domain names: ``--domain 2`` is an index."""
    assert domain_vector("2", [], 3, 1).tolist() == [[0, 0, 1]]


def test_flip_one_is_one_rule_for_numpy_and_torch() -> None:
    c = np.array([[1, 0, 1], [0, 1, 0]], np.float32)
    for k in range(3):
        a = flip_one(c, k, [[0, 1]])
        b = flip_one(torch.from_numpy(c), k, [[0, 1]])
        assert isinstance(b, torch.Tensor) and np.array_equal(a, b.numpy())
    assert flip_one(c, 1, [[0, 1]]).tolist() == [[0, 1, 1], [0, 1, 0]]
    assert flip_one(c, 2, [[0, 1]]).tolist() == [[1, 0, 0], [0, 1, 1]]
    assert c.tolist() == [[1, 0, 1], [0, 1, 0]]  # the input is left alone


def test_all_targets_and_condition() -> None:
    multi = info_from_meta("m", "stargan", "G", {"kind": "image+domain", "domains": ["Black_Hair", "Blond_Hair", "Male"],
                                                 "label_mode": "multi", "groups": [["Black_Hair", "Blond_Hair"]]})
    cols = dict(all_targets(multi, 3, "Black_Hair=1,Male=1"))
    assert cols["Blond_Hair"].tolist() == [0, 1, 1] and cols["Male"].tolist() == [1, 0, 0]
    assert condition(multi, 3, "Blond_Hair,Male", None).tolist() == [0, 1, 1]
    single = info_from_meta("s", "stargan", "G", {"kind": "image+domain", "domains": ["a", "b"], "label_mode": "single"})
    assert [v.tolist() for _, v in all_targets(single, 2)] == [[1, 0], [0, 1]]
    with pytest.raises(ConfigError, match="single-label"):
        condition(single, 2, None, "a=1")


def test_interpolation_ends_and_slerp_norm() -> None:
    a, b = latent_batch(2, 8, seed=1)
    lin = interpolate_latents(a, b, 5)
    sl = interpolate_latents(a, b, 5, slerp=True)
    assert lin.shape == (5, 8) and np.allclose(lin[0], a) and np.allclose(sl[-1], b, atol=1e-5)
