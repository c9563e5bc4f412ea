"""Image history pool: identity at size 0, bounded, state round trip."""

import torch

from translate.core.pool import ImagePool


def test_size_zero_returns_the_input():
    x = torch.randn(4, 3, 2, 2)
    assert ImagePool(0).query(x) is x


def test_fills_then_keeps_at_most_size():
    pool = ImagePool(5)
    first = torch.randn(3, 1, 2, 2)
    assert torch.equal(pool.query(first), first)  # while filling, the input comes back
    for _ in range(20):
        out = pool.query(torch.randn(4, 1, 2, 2))
        assert out.shape == (4, 1, 2, 2)
        assert len(pool.images) <= 5
    assert len(pool.images) == 5


def test_returns_stored_images_once_full():
    torch.manual_seed(0)
    pool = ImagePool(8)
    pool.query(torch.zeros(8, 1, 1, 1))
    out = pool.query(torch.ones(64, 1, 1, 1))
    n_old = int((out == 0).sum())
    assert 0 < n_old <= 8  # about half swapped, but only 8 zeros exist


def test_state_round_trip():
    pool = ImagePool(3)
    pool.query(torch.randn(3, 2, 2, 2))
    other = ImagePool(0)
    other.load_state_dict(pool.state_dict())
    assert other.size == 3 and all(torch.equal(a, b) for a, b in zip(pool.images, other.images))
