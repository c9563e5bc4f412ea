"""DiffAugment: shape-preserving, differentiable, applied to every D input by the adversary."""

import pytest
import torch
from torch.autograd import gradcheck

from translate.config import GanConfig
from translate.core.adversary import Adversary
from translate.core.augment import POLICIES, DiffAugment, rand_cutout, rand_translation
from translate.errors import ConfigError

FULL = "color,translation,cutout"


@pytest.mark.parametrize("policy", [*POLICIES, FULL])
def test_shape_preserving_and_differentiable(policy):
    x = torch.randn(3, 3, 16, 12, requires_grad=True)
    y = DiffAugment(policy)(x)
    assert y.shape == x.shape
    y.square().sum().backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


def test_gradcheck_full_policy():
    x = torch.randn(2, 3, 8, 8, dtype=torch.float64, requires_grad=True)
    aug = DiffAugment(FULL)

    def fn(inp):
        torch.manual_seed(3)  # the same random transform on every call
        return aug(inp)

    assert gradcheck(fn, (x,), eps=1e-6, atol=1e-6)


def test_translation_shifts_and_zero_fills():
    torch.manual_seed(0)
    x = torch.arange(64.0).view(1, 1, 8, 8).repeat(16, 1, 1, 1) + 1  # no zeros inside
    y = rand_translation(x)
    for xi, yi in zip(x, y):
        nz = yi[yi != 0]
        assert set(nz.tolist()) <= set(xi.flatten().tolist())
        assert (yi == 0).sum() <= 8 * 8 - 7 * 7  # at most one 1-px band (8 * 0.125 = 1) each way


def test_cutout_zeroes_a_half_size_square():
    torch.manual_seed(0)
    y = rand_cutout(torch.ones(32, 1, 8, 8))
    zeros = (y == 0).flatten(1).sum(1)
    assert (zeros <= 16).all() and (zeros > 0).all() and (zeros == 16).any()


def test_empty_policy_is_identity_and_unknown_raises():
    x = torch.randn(2, 3, 4, 4)
    assert DiffAugment("")(x) is x and not DiffAugment("")
    assert DiffAugment(FULL)(torch.randn(5, 2)).shape == (5, 2)  # non-image input passes through
    with pytest.raises(ConfigError, match="unknown policy 'colour'"):
        DiffAugment("colour,cutout")
    with pytest.raises(ConfigError):
        Adversary(GanConfig(diffaugment="flip"))


def test_adversary_augments_real_and_fake_in_d_and_g_steps():
    seen = []

    def disc(x):
        seen.append(x.detach())
        return x.mean(dim=(1, 2, 3))

    adv = Adversary(GanConfig(loss="ragan", diffaugment="cutout"))
    real, fake = torch.ones(4, 3, 8, 8), torch.ones(4, 3, 8, 8, requires_grad=True)
    adv.d_loss(disc, real, fake)
    loss, _, _ = adv.g_loss(disc, fake, real)
    assert len(seen) == 4 and all((s == 0).any() for s in seen)  # every D input was cut out
    loss.backward()
    assert fake.grad.abs().sum() > 0 and (fake.grad == 0).any()  # G's gradient flows through the mask


@pytest.mark.parametrize("policy", [*POLICIES, FULL])
def test_grouped_input_gets_each_images_own_augmentation(policy):
    """A conditional D input concat(A, B) with groups (3, 3): each half is exactly what that image
    gets alone with the same random draws (colour means per image, not over all 6 channels)."""
    a, b = torch.randn(4, 3, 16, 16), torch.randn(4, 3, 16, 16) * 2 + 1
    torch.manual_seed(5)
    both = DiffAugment(policy, groups=(3, 3))(torch.cat([a, b], 1))
    alone = []
    for img in (a, b):
        torch.manual_seed(5)
        alone.append(DiffAugment(policy)(img))
    torch.testing.assert_close(both, torch.cat(alone, 1))


def test_grouped_colour_differs_from_mixing_the_halves():
    a, b = torch.zeros(2, 3, 8, 8), torch.ones(2, 3, 8, 8)
    x = torch.cat([a, b], 1)
    torch.manual_seed(0)
    grouped = DiffAugment("color", groups=(3, 3))(x)
    torch.manual_seed(0)
    mixed = DiffAugment("color")(x)
    # flat images: saturation and contrast leave each image alone, only brightness shifts it
    assert torch.allclose(grouped[:, :3] + 1, grouped[:, 3:]) and not torch.allclose(mixed[:, :3] + 1, mixed[:, 3:])
    with pytest.raises(ValueError, match="groups"):
        DiffAugment("color", groups=(1, 3))(x)
