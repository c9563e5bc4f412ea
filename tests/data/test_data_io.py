"""translate.data.io: [-1, 1] tensors <-> images, PNG saving."""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image

from translate.data.io import save_image, to_pil, to_tensor


def test_tensor_round_trip_and_save(tmp_path):
    arr = np.random.default_rng(1).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    t = to_tensor(Image.fromarray(arr))
    assert t.shape == (3, 5, 7) and t.dtype == torch.float32
    assert t.min() >= -1 and t.max() <= 1
    assert np.array_equal(np.asarray(to_pil(t)), arr)
    p = save_image(t, tmp_path / "out" / "x.png")
    assert np.array_equal(np.asarray(Image.open(p)), arr)
    assert not list((tmp_path / "out").glob(".*.tmp"))
    gray = save_image(torch.zeros(1, 4, 4), tmp_path / "g.png")
    assert np.asarray(Image.open(gray)).shape == (4, 4, 3)
