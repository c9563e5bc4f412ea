"""``translate_images``: inputs of different sizes that pad to one shape run in one batch, each cropped back alone."""

from __future__ import annotations

import numpy as np
from PIL import Image

from translate.runtime.processing import translate_images


def _images() -> list[Image.Image]:
    rng = np.random.default_rng(0)
    return [Image.fromarray(rng.integers(0, 255, (h, 32, 3), dtype=np.uint8)) for h in (32, 30, 25, 64)]


def test_inputs_that_pad_to_one_shape_share_a_batch_and_match_one_at_a_time() -> None:
    calls: list[tuple[int, ...]] = []

    def run(a: np.ndarray) -> np.ndarray:  # [n, 3, H, W] -> the same; flips the colours
        calls.append(a.shape)
        return -a

    out = translate_images(_images(), run, multiple=32, batch_size=8)
    assert calls == [(3, 3, 32, 32), (1, 3, 64, 32)]  # 32, 30 and 25 px tall pad to 32: one call; 64 its own
    assert [im.size for im in out] == [im.size for im in _images()]
    alone = [translate_images([im], lambda a: -a, multiple=32)[0] for im in _images()]
    for a, b in zip(out, alone):
        assert np.array_equal(np.asarray(a), np.asarray(b))  # batching changes nothing per image
    calls.clear()
    translate_images(_images(), run, multiple=32, batch_size=2)
    assert calls == [(2, 3, 32, 32), (1, 3, 32, 32), (1, 3, 64, 32)]
