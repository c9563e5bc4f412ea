"""translate.data.transforms + base: shared random parameters, modes, determinism, workers."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from translate.data import DATASETS, PREPROCESS, build_transform, item_rng, parse_key
from translate.errors import ConfigError


def test_pair_gets_identical_crop_and_flip(noise, small_cfg):
    img = noise(50, 50, seed=3)
    pipe = build_transform(small_cfg("x"), train=True, targets=("B",))
    seen_flip = set()
    for i in range(12):
        out = pipe(np.random.default_rng(i), image=img, B=img.copy())
        assert out["image"].shape == (3, 32, 32)
        assert torch.equal(out["image"], out["B"])
        seen_flip.add(torch.equal(out["image"], pipe(np.random.default_rng(i), image=img)["image"]))
    assert seen_flip == {True}  # the same rng gives the same draw with or without B


def test_rng_drives_the_draw(noise, small_cfg):
    img = noise(50, 50, seed=3)
    pipe = build_transform(small_cfg("x"), train=True)
    outs = [pipe(np.random.default_rng(s), image=img)["image"] for s in range(6)]
    assert torch.equal(outs[0], pipe(np.random.default_rng(0), image=img)["image"])
    assert len({o.sum().item() for o in outs}) > 1


@pytest.mark.parametrize(
    "mode, size, train, expected",
    [
        ("resize_and_crop", (60, 50), True, (32, 32)),
        ("resize_and_crop", (60, 50), False, (32, 32)),
        ("crop", (60, 50), True, (32, 32)),
        ("crop", (20, 18), True, (32, 32)),  # smaller than the crop: padded
        ("scale_width", (80, 40), True, (32, 40)),  # W 40, H max(40 * 40 / 80, crop 32)
        ("scale_width", (40, 80), True, (80, 40)),
        ("scale_width_and_crop", (40, 80), True, (32, 32)),
        ("scale_width", (40, 80), False, (64, 32)),
        ("resize", (60, 50), True, (32, 32)),
        ("none", (60, 50), True, (50, 60)),
        ("none", (60, 50), False, (50, 60)),
    ],
)
def test_preprocess_modes(mode, size, train, expected, noise, small_cfg):
    pipe = build_transform(small_cfg("x", preprocess=mode), train=train)
    out = pipe(np.random.default_rng(0), image=noise(*size, seed=0))["image"]
    assert tuple(out.shape) == (3, *expected)
    assert -1.0 <= out.min() and out.max() <= 1.0


def test_none_rounds_to_multiple_and_center_crop(noise, small_cfg):
    pipe = build_transform(small_cfg("x", preprocess="none"), train=False, multiple=16)
    assert pipe(np.random.default_rng(0), image=noise(70, 41, 0))["image"].shape == (3, 48, 64)
    pipe = build_transform(small_cfg("x", preprocess="none"), train=False, multiple=16)
    assert pipe(np.random.default_rng(0), image=noise(5, 5, 0))["image"].shape == (3, 16, 16)
    pipe = build_transform(small_cfg("x", preprocess="resize", center_crop=30), train=False)
    assert pipe(np.random.default_rng(0), image=noise(50, 60, 0))["image"].shape == (3, 32, 32)


def test_eval_is_deterministic_and_unflipped(noise, small_cfg):
    img = noise(50, 50, seed=1)
    pipe = build_transform(small_cfg("x"), train=False)
    a = pipe(np.random.default_rng(1), image=img)["image"]
    b = pipe(np.random.default_rng(2), image=img)["image"]
    assert torch.equal(a, b)


def test_unknown_preprocess_lists_modes(small_cfg):
    with pytest.raises(ConfigError, match="available: crop, none, resize"):
        build_transform(small_cfg("x", preprocess="zoom"))
    assert "resize_and_crop" in PREPROCESS


@pytest.mark.parametrize("size", [(60, 50), (20, 24)])  # shrinking and enlarging
def test_pil_bicubic_filter_is_torchvision_resize_on_pil(size, noise, small_cfg):
    """``data.resize_filter=pil_bicubic``: the eval resize equals the reference's Resize(BICUBIC) on a PIL image."""
    from torchvision.transforms import InterpolationMode, Resize

    img = noise(*size, seed=4)
    pipe = build_transform(small_cfg("x", resize_filter="pil_bicubic"), train=False)
    ours = pipe(np.random.default_rng(0), image=img)["image"]
    ref = np.array(Resize([32, 32], InterpolationMode.BICUBIC)(img))
    assert torch.equal(ours, torch.from_numpy(ref).permute(2, 0, 1).float() / 127.5 - 1)
    opencv = build_transform(small_cfg("x"), train=False)(np.random.default_rng(0), image=img)["image"]
    assert not torch.equal(ours, opencv)  # the default (opencv) filter is a different one


def test_unknown_resize_filter_lists_filters(small_cfg):
    with pytest.raises(ConfigError, match="opencv, pil_bicubic"):
        build_transform(small_cfg("x", resize_filter="lanczos"))


def test_keys_and_item_rng():
    assert parse_key(5) == (0, 5)
    assert parse_key((2, 5)) == (2, 5)
    assert parse_key(torch.tensor([2, 5])) == (2, 5)
    a = item_rng(1, 2, 3).integers(1 << 30, size=4)
    assert np.array_equal(a, np.random.default_rng([1, 2, 3]).integers(1 << 30, size=4))


def test_dataset_determinism_by_seed_epoch_index(aligned_root, small_cfg):
    ds = DATASETS.build("aligned", small_cfg(aligned_root), split="train", seed=7)
    first = ds[(0, 1)]
    assert torch.equal(first["A"], ds[(0, 1)]["A"])
    assert torch.equal(first["A"], ds[1]["A"])  # plain int = epoch 0
    other = DATASETS.build("aligned", small_cfg(aligned_root), split="train", seed=7)
    assert torch.equal(first["B"], other[(0, 1)]["B"])
    epochs = [ds[(e, 1)]["A"] for e in range(1, 6)]
    assert any(not torch.equal(first["A"], e) for e in epochs)  # another epoch, another crop
    seeded = DATASETS.build("aligned", small_cfg(aligned_root), split="train", seed=8)
    assert any(not torch.equal(ds[(0, i)]["A"], seeded[(0, i)]["A"]) for i in range(len(ds)))


class _Keys(torch.utils.data.Sampler):
    def __init__(self, n: int, epoch: int) -> None:
        self.n, self.epoch = n, epoch

    def __iter__(self):
        return iter([(self.epoch, i) for i in range(self.n)])

    def __len__(self) -> int:
        return self.n


def test_same_batches_with_any_number_of_workers(unpaired_root, small_cfg):
    ds = DATASETS.build("unpaired", small_cfg(unpaired_root), split="train", seed=3)

    def run(workers: int) -> list[torch.Tensor]:
        dl = DataLoader(ds, batch_size=2, sampler=_Keys(len(ds), 4), num_workers=workers)
        return [torch.cat([b["A"], b["B"]]) for b in dl]

    for a, b in zip(run(0), run(2)):
        assert torch.equal(a, b)
    clone = pickle.loads(pickle.dumps(ds))  # what a spawned worker receives
    assert torch.equal(clone[(4, 2)]["B"], ds[(4, 2)]["B"])
