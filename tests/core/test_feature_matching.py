"""Feature matching losses on hand-made features; the adversary's weighted term and its config checks."""

import pytest
import torch
from torch import nn

from translate.config import GanConfig
from translate.core.adversary import Adversary
from translate.core.feature_matching import (
    FEATURE_MATCHING,
    feature_matching_loss,
    features_of,
    mean_feature_matching,
    pix2pixhd_feature_matching,
)
from translate.errors import ConfigError

T = torch.tensor


def test_registered_kinds():
    assert {"mean", "pix2pixhd"} <= set(FEATURE_MATCHING.names())


def test_mean_matches_batch_means_of_the_last_layer():
    first = torch.randn(2, 5)  # ignored: only the last intermediate layer counts
    real = [first, T([[1.0, 2.0], [3.0, 4.0]])]  # batch mean [2, 3]
    fake = [first + 9, T([[0.0, 0.0], [2.0, 2.0]], requires_grad=True)]  # batch mean [1, 1]
    loss = mean_feature_matching(real, fake)
    assert loss.item() == pytest.approx((1.0 + 4.0) / 2)  # mean over the K = 2 features of the squared gap
    loss.backward()
    # d/df_ik of mean_k (m_r - m_f)^2 = -2 (m_r - m_f)_k / (K N)
    assert torch.allclose(fake[1].grad, T([[-0.5, -1.0], [-0.5, -1.0]]))
    # only the means matter: a permuted fake batch with the same mean gives 0
    same_mean = [first, T([[3.0, 2.0], [1.0, 4.0]])]
    assert mean_feature_matching(real, same_mean).item() == 0.0


def test_mean_flattens_spatial_maps():
    real = [torch.zeros(3, 2, 2, 2)]
    fake = [torch.ones(3, 2, 2, 2)]
    assert mean_feature_matching(real, fake).item() == pytest.approx(1.0)


def test_pix2pixhd_is_layerwise_l1_of_paired_features_weighted_4_over_l():
    real = [T([[0.0, 0.0]]), T([[1.0, 1.0, 1.0]])]
    fake = [T([[1.0, -3.0]]), T([[1.0, 1.0, 4.0]])]  # L1 means 2 and 1
    assert pix2pixhd_feature_matching(real, fake).item() == pytest.approx(4 / 2 * 2.0 + 4 / 2 * 1.0)
    # pairing, not means: a swapped fake batch costs something even with the same mean
    r, f = [T([[1.0], [3.0]])], [T([[3.0], [1.0]])]
    assert pix2pixhd_feature_matching(r, f).item() == pytest.approx(4 * 2.0) and mean_feature_matching(r, f).item() == 0.0
    with pytest.raises(ValueError, match="feature layers"):
        pix2pixhd_feature_matching(real, fake[:1])


def test_multi_scale_feature_lists_are_averaged_over_scales():
    s1 = ([T([[0.0]])], [T([[2.0]])])  # mean loss 4
    s2 = ([T([[0.0]])], [T([[4.0]])])  # mean loss 16
    got = feature_matching_loss("mean", [s1[0], s2[0]], [s1[1], s2[1]])
    assert got.item() == pytest.approx((4.0 + 16.0) / 2)
    assert feature_matching_loss("mean", s1[0], s1[1]).item() == pytest.approx(4.0)


class _Feat(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(2, 3)

    def forward(self, x):
        return self.lin(x).sum(1)

    def features(self, x):
        return [self.lin(x)]


def test_adversary_weights_the_term_and_keeps_reals_constant():
    d = _Feat()
    adv = Adversary(GanConfig(loss="nonsaturating", feature_matching=2.5))
    real, fake = torch.randn(4, 2), torch.randn(4, 2, requires_grad=True)
    loss, logs = adv.feature_loss(d.features, fake, real)
    want = mean_feature_matching([d.lin(real)], [d.lin(fake)])
    assert loss.item() == pytest.approx(2.5 * want.item()) and logs["G_FM"].item() == pytest.approx(want.item())
    loss.backward()
    assert fake.grad.abs().sum() > 0


def test_config_checks_and_missing_features():
    with pytest.raises(ConfigError, match="feature matching"):
        Adversary(GanConfig(feature_matching=1.0, feature_matching_kind="median"))
    with pytest.raises(ConfigError, match=">= 0"):
        Adversary(GanConfig(feature_matching=-1.0))
    with pytest.raises(ConfigError, match="diffaugment"):
        Adversary(GanConfig(feature_matching=1.0, feature_matching_kind="pix2pixhd", diffaugment="color"))
    with pytest.raises(ConfigError, match="exposes no features"):
        features_of(nn.Linear(2, 1), "toy")
    assert features_of(_Feat(), "toy") is not None
