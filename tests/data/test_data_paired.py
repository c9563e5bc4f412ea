"""aligned / folders / unpaired datasets: items, checks, direction, skip_bad."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import torch
from PIL import Image

from translate.data import DATASETS, to_tensor
from translate.errors import ConfigError, InputError


def test_aligned_items_and_halves(aligned_root, small_cfg):
    ds = DATASETS.build("aligned", small_cfg(aligned_root, preprocess="none", flip=False), split="train")
    assert len(ds) == 5
    item = ds[0]
    assert set(item) == {"A", "B", "A_path", "B_path", "skipped"}
    full = to_tensor(Image.open(aligned_root / "train" / "0.png").convert("RGB"))
    assert torch.equal(item["A"], full[:, :, :32]) and torch.equal(item["B"], full[:, :, 32:])
    swapped = DATASETS.build("aligned", small_cfg(aligned_root, preprocess="none", flip=False, direction="BtoA"))
    assert torch.equal(swapped[0]["A"], item["B"]) and torch.equal(swapped[0]["B"], item["A"])
    assert len(DATASETS.build("aligned", small_cfg(aligned_root), split="val")) == 2


def test_aligned_random_crop_shared(tmp_path, noise, small_cfg):
    half = noise(40, 40, 1)
    pair = Image.new("RGB", (80, 40))
    pair.paste(half, (0, 0))
    pair.paste(half, (40, 0))
    pair.save((tmp_path / "train").mkdir() or tmp_path / "train" / "1.png")
    ds = DATASETS.build("aligned", small_cfg(tmp_path))
    for e in range(6):
        item = ds[(e, 0)]
        assert item["A"].shape == (3, 32, 32) and torch.equal(item["A"], item["B"])


def test_aligned_odd_width_names_file(tmp_path, make_image, small_cfg):
    make_image(tmp_path / "train" / "odd.png", w=33, h=16)
    with pytest.raises(InputError, match=r"odd\.png: width 33 is odd"):
        DATASETS.build("aligned", small_cfg(tmp_path))


def test_bad_direction(aligned_root, small_cfg):
    with pytest.raises(ConfigError, match="data.direction"):
        DATASETS.build("aligned", small_cfg(aligned_root, direction="AB"))


def test_empty_and_missing_split(tmp_path, small_cfg):
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "notes.txt").write_text("x")
    with pytest.raises(InputError, match=r"train: no images found \(looked for \.jpg, \.jpeg, \.png"):
        DATASETS.build("aligned", small_cfg(tmp_path))
    with pytest.raises(InputError, match=r"test: no such split folder .*sub-folders: train"):
        DATASETS.build("aligned", small_cfg(tmp_path), split="test")
    with pytest.raises(InputError, match="no such folder"):
        DATASETS.build("aligned", small_cfg(tmp_path / "nope"))


def test_skip_bad_counts_and_uses_next(aligned_root, small_cfg, caplog):
    bad = aligned_root / "train" / "2.png"
    bad.write_bytes(bad.read_bytes()[:100])  # truncated
    strict = DATASETS.build("aligned", small_cfg(aligned_root, preprocess="none", flip=False))
    with pytest.raises(InputError, match=r"2\.png: truncated or corrupt image"):
        strict[2]
    ds = DATASETS.build("aligned", small_cfg(aligned_root, preprocess="none", flip=False, skip_bad=True))
    with caplog.at_level(logging.WARNING, logger="translate.data"):
        item = ds[2]
        ds[(1, 2)]
    assert item["A_path"].endswith("3.png")  # the next index, deterministically
    assert ds.bad_count == 1 and str(bad) in ds.bad_files
    assert sum("2.png" in r.getMessage() for r in caplog.records) == 1  # warned once


def test_folders_pairs_match_by_stem(folders_root, small_cfg):
    ds = DATASETS.build("folders", small_cfg(folders_root))
    assert len(ds) == 4
    for e in range(4):
        item = ds[(e, 1)]
        assert torch.equal(item["A"], item["B"])  # B is a copy of A: same crop and flip
        assert item["A_path"].endswith("A/img1.png") and item["B_path"].endswith("B/img1.png")


def test_folders_mismatch_lists_names(folders_root, make_image, small_cfg):
    for i in range(7):
        make_image(folders_root / "train" / "A" / f"extra{i}.png")
    make_image(folders_root / "train" / "B" / "lonely.png")
    with pytest.raises(InputError) as e:
        DATASETS.build("folders", small_cfg(folders_root))
    msg = str(e.value)
    assert "7 in A/ without a match in B/ (extra0, extra1, extra2, extra3, extra4, …)" in msg
    assert "1 in B/ without a match in A/ (lonely)" in msg


def test_folders_different_sizes_are_aligned(tmp_path, noise, small_cfg):
    a = noise(40, 40, 0)
    a.save((tmp_path / "train" / "A").mkdir(parents=True) or tmp_path / "train" / "A" / "x.png")
    a.resize((80, 80)).save((tmp_path / "train" / "B").mkdir() or tmp_path / "train" / "B" / "x.png")
    item = DATASETS.build("folders", small_cfg(tmp_path))[0]
    assert item["A"].shape == item["B"].shape == (3, 32, 32)


def test_unpaired_sizes_and_random_b(unpaired_root, small_cfg):
    ds = DATASETS.build("unpaired", small_cfg(unpaired_root), seed=1)
    assert len(ds) == 5  # max(3, 5)
    items = [ds[(0, i)] for i in range(5)]
    assert [it["A_path"].rsplit("/", 1)[1] for it in items] == ["a0.jpg", "a1.jpg", "a2.jpg", "a0.jpg", "a1.jpg"]
    again = DATASETS.build("unpaired", small_cfg(unpaired_root), seed=1)
    assert [it["B_path"] for it in items] == [again[(0, i)]["B_path"] for i in range(5)]
    assert all(torch.equal(it["B"], again[(0, i)]["B"]) for i, it in enumerate(items))
    draws = {ds[(e, 0)]["B_path"] for e in range(12)}
    assert len(draws) > 1  # B changes with the epoch
    assert items[0]["A"].shape == items[0]["B"].shape == (3, 32, 32)


def test_unpaired_serial_direction_and_test_split(unpaired_root, small_cfg):
    ds = DATASETS.build("unpaired", small_cfg(unpaired_root, serial_batches=True))
    assert [ds[i]["B_path"].rsplit("/", 1)[1] for i in range(5)] == [f"b{i}.png" for i in range(5)]
    rev = DATASETS.build("unpaired", small_cfg(unpaired_root, direction="BtoA", serial_batches=True))
    assert rev[0]["A_path"].endswith("b0.png") and rev[0]["B_path"].endswith("a0.jpg")
    assert len(DATASETS.build("unpaired", small_cfg(unpaired_root), split="test", train=False)) == 1
    with pytest.raises(InputError, match=r"valA: no such folder \(expected ROOT/<split>A/"):
        DATASETS.build("unpaired", small_cfg(unpaired_root), split="val")


def test_max_items(aligned_root, small_cfg):
    assert len(DATASETS.build("aligned", small_cfg(aligned_root, max_items=2))) == 2


def test_pixel_limit_in_dataset(aligned_root, small_cfg):
    with pytest.raises(InputError, match=r"64x32 = .* MP exceeds the .* MP limit \(raise data.max_pixels\)"):
        DATASETS.build("aligned", small_cfg(aligned_root, max_pixels=1000))


def test_grayscale_and_transparent_files_load(tmp_path, small_cfg):
    (tmp_path / "train").mkdir()
    Image.new("L", (64, 32), 128).save(tmp_path / "train" / "g.png")
    Image.new("RGBA", (64, 32), (0, 0, 0, 0)).save(tmp_path / "train" / "t.png")
    ds = DATASETS.build("aligned", small_cfg(tmp_path))
    assert np.allclose(ds[0]["A"].numpy(), 128 / 127.5 - 1, atol=0.01)
    assert torch.all(ds[1]["A"] == 1.0)  # transparent -> white
