"""Birthday-paradox support estimate: duplicates give a small support, distinct images a large one."""

import json
import math

import numpy as np
import pytest
import torch
from PIL import Image

from translate.errors import InputError
from translate.evaluation.duplicates import (
    batch_size_grid,
    duplicates_report,
    find_duplicates,
    load_images_folder,
    save_pairs_png,
)


def test_many_exact_duplicates_give_a_small_support():
    base = torch.rand(10, 3, 32, 32) * 2 - 1  # 10 distinct images, each 40 times
    images = base.repeat(40, 1, 1, 1)
    rep = find_duplicates(images)
    assert rep.n_images == 400 and rep.n_duplicate_pairs == 10 * math.comb(40, 2)
    assert rep.s50 is not None and rep.s50 <= 6 and not rep.lower_bound
    assert rep.support_estimate == rep.s50**2 <= 36
    assert rep.closest_pairs[0][2] == 0.0
    i, j, _ = rep.closest_pairs[0]
    assert torch.equal(images[i], images[j]) and i < j


def test_distinct_random_images_give_a_large_support():
    rep = duplicates_report(torch.rand(300, 3, 16, 16) * 2 - 1)
    assert rep["s50"] is None and rep["lower_bound"] and rep["support_estimate"] == 300**2
    assert rep["n_duplicate_pairs"] == 0 and rep["dup_probability"][-1] == 0.0
    assert len(rep["closest_pairs"]) == 20 and rep["closest_pairs"][0][2] > rep["threshold"]
    json.dumps(rep)  # JSON-ready for the CLI


def test_probability_grows_with_batch_size():
    images = (torch.rand(50, 1, 8, 8) * 2 - 1).repeat(4, 1, 1, 1)  # 50 distinct images, 4 copies each
    rep = find_duplicates(images, trials=400)
    probs = rep.dup_probability
    assert probs[0] < 0.1 and probs[-1] == 1.0
    assert all(b >= a - 0.1 for a, b in zip(probs, probs[1:]))  # monotone up to sampling noise
    # support 50 (uniform): P(dup) = 1/2 at s ~ sqrt(2 ln 2 * 50 / (1 - 1/4)) ~ 9.6 (4 copies of each)
    assert 5 <= rep.s50 <= 16


def test_threshold_from_real_nearest_neighbours():
    real = torch.rand(200, 3, 16, 16) * 2 - 1
    near = real[:20] + 0.001 * torch.randn(20, 3, 16, 16)  # near-copies of real images
    fake = torch.cat([near, near + 0.001 * torch.randn_like(near)])
    rep = find_duplicates(fake, reference=real, quantile=0.01)
    assert rep.threshold_source == "reference q=0.01" and 0 < rep.threshold
    assert rep.n_duplicate_pairs >= 20


def test_folder_loading_and_pairs_png(tmp_path):
    rng = np.random.default_rng(0)
    for k in range(6):
        arr = rng.integers(0, 255, (20, 24, 3), dtype=np.uint8)
        Image.fromarray(arr).save(tmp_path / f"{k}.png")
        if k < 2:
            (tmp_path / "sub").mkdir(exist_ok=True)
            noisy = np.clip(arr.astype(int) + rng.integers(-3, 4, arr.shape), 0, 255).astype(np.uint8)
            Image.fromarray(noisy).save(tmp_path / "sub" / f"copy{k}.bmp")  # a near-duplicate
    x = load_images_folder(tmp_path, 16)
    assert x.shape == (8, 3, 16, 16) and x.min() >= -1 and x.max() <= 1
    rep = find_duplicates(tmp_path, threshold=0.05)
    assert rep.n_duplicate_pairs == 2 and len(rep.files) == 8
    names = {frozenset((rep.files[i].split("/")[-1], rep.files[j].split("/")[-1])) for i, j, _ in rep.closest_pairs[:2]}
    assert names == {frozenset({"0.png", "copy0.bmp"}), frozenset({"1.png", "copy1.bmp"})}
    png = save_pairs_png(x, rep.closest_pairs[:3], tmp_path / "out" / "pairs.png")
    assert Image.open(png).size == (32, 48)


def test_bad_inputs(tmp_path):
    with pytest.raises(InputError, match="no images"):
        load_images_folder(tmp_path)
    (tmp_path / "bad.png").write_bytes(b"not a png")
    with pytest.raises(InputError, match="bad.png"):
        load_images_folder(tmp_path)
    with pytest.raises(InputError):
        find_duplicates(torch.rand(1, 3, 4, 4))


def test_batch_size_grid():
    grid = batch_size_grid(100)
    assert grid[0] == 2 and grid[-1] == 100 and grid == sorted(set(grid))
