"""Real images from ../shared/data (skipped when absent)."""

from __future__ import annotations

import pytest
import torch

from translate.config import DataConfig
from translate.data import build_dataset, detect_layout, scan_folder

pytestmark = pytest.mark.data


def test_silhouettes_aligned(shared_data):
    root = shared_data / "silhouettes"
    assert detect_layout(root) == "aligned"
    cfg = DataConfig(root=str(root), direction="BtoA")  # outline -> photo
    train = build_dataset(cfg, "train", seed=1)
    val = build_dataset(cfg, "val", train=False)
    assert len(train) == 100 and len(val) == 30
    item = train[(0, 5)]
    assert item["A"].shape == item["B"].shape == (3, 256, 256)
    assert item["A_path"] == item["B_path"] and item["A_path"].endswith(".jpg")
    assert torch.equal(item["A"], train[(0, 5)]["A"])
    # the photo (left half, now B) has a white background: its top-left corner is near white
    ev = val[0]
    assert ev["B"][:, :4, :4].mean() > 0.8
    assert ev["A"].shape == (3, 256, 256)


def test_silhouettes_unpaired_and_scan(shared_data):
    root = shared_data / "silhouettes_unpaired"
    assert detect_layout(root) == "unpaired"
    ds = build_dataset(DataConfig(root=str(root)), "train", seed=0)
    assert len(ds) == 50
    item = ds[(3, 7)]
    assert item["A"].shape == item["B"].shape == (3, 256, 256)
    assert "trainA" in item["A_path"] and "trainB" in item["B_path"]
    test = build_dataset(DataConfig(root=str(root)), "test", train=False)
    assert len(test) == 15
    rep = scan_folder(root, full=False)
    assert rep.ok and rep.images == 130, rep.summary()
