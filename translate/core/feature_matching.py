"""Feature matching: G matches statistics of intermediate discriminator features of reals, as pure functions.

``gan.feature_matching: w`` adds ``w * loss(real_feats, fake_feats)`` to the generator loss of any
task whose discriminator has ``features(x) -> [f_1, ..., f_L]`` (its intermediate activations,
the logit layer left out: PatchGAN, DCGAN and StyleGAN discriminators), ``gan.feature_matching_kind``
picks the loss (``FEATURE_MATCHING``):

- ``mean`` (Salimans et al. 2016): ``mean_k (E_i f_L(x_i)_k - E_i f_L(G(z_i))_k)^2``, the squared
  gap of the batch means of the last intermediate layer, averaged (not summed) over its K features
  as the improved-gan code does;
- ``pix2pixhd`` (Wang et al. 2018, ``loss_G_GAN_Feat``): ``sum_j 4/L * mean |f_j(G(a)) - f_j(b)|``
  over every intermediate layer j of L, real and fake paired sample by sample (their weight
  lambda_feat = 10).

Real features are constants (detached). Multi-scale discriminators give one list per scale
(``features`` returns a list of lists): the loss is averaged over the scales, as pix2pixHD's
``1 / num_D``.
"""

from __future__ import annotations

from typing import Callable, Sequence

import torch
from torch import Tensor

from ..errors import ConfigError
from ..registry import Registry

Feats = Sequence[Tensor]
FeatureLoss = Callable[[Feats, Feats], Tensor]  # (real_feats, fake_feats) -> scalar
FEATURE_MATCHING: Registry[FeatureLoss] = Registry("feature matching")


@FEATURE_MATCHING.register("mean")
def mean_feature_matching(real: Feats, fake: Feats) -> Tensor:
    """Salimans et al. 2016: squared distance of the batch means of the last intermediate layer (mean over features)."""
    r = real[-1].detach().float().flatten(1).mean(0)  # [K]
    f = fake[-1].float().flatten(1).mean(0)  # [K]
    return (r - f).square().mean()


@FEATURE_MATCHING.register("pix2pixhd")
def pix2pixhd_feature_matching(real: Feats, fake: Feats) -> Tensor:
    """pix2pixHD: L1 between paired real and fake features of every intermediate layer, each weighted 4 / L."""
    if len(real) != len(fake):
        raise ValueError(f"feature matching: {len(real)} real and {len(fake)} fake feature layers")
    weight = 4.0 / len(real)
    return sum(weight * (f.float() - r.detach().float()).abs().mean() for r, f in zip(real, fake))  # type: ignore[return-value]


def _scales(feats: "Feats | Sequence[Feats]") -> list[Feats]:
    """One feature list per discriminator scale (a single-scale D gives a list of tensors)."""
    return [feats] if isinstance(feats[0], Tensor) else list(feats)  # type: ignore[list-item]


def feature_matching_loss(kind: str, real: "Feats | Sequence[Feats]", fake: "Feats | Sequence[Feats]") -> Tensor:
    """The ``kind`` loss, averaged over the scales of a multi-scale discriminator."""
    fn = FEATURE_MATCHING.get(kind)
    pairs = list(zip(_scales(real), _scales(fake)))
    return torch.stack([fn(r, f) for r, f in pairs]).mean()


def features_of(disc: object, where: str) -> Callable[..., "Feats | Sequence[Feats]"]:
    """The ``features`` method of a discriminator (torch.compile wrapper unwrapped); ConfigError when it has none."""
    net = getattr(disc, "_orig_mod", disc)
    fn = getattr(net, "features", None)
    if fn is None:
        raise ConfigError(f"gan.feature_matching: the {where} discriminator ({type(net).__name__}) exposes no features")
    return fn
