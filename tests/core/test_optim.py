"""Optimisers from the config: the OPTIMIZERS registry, options, errors and the lazy correction."""

import pytest
import torch
from torch import nn

from translate.config import OptimConfig
from translate.core.optim import build_optimizer, takes_betas
from translate.errors import ConfigError
from translate.registry import OPTIMIZERS


def _params() -> list[nn.Parameter]:
    return list(nn.Linear(2, 1).parameters())


def test_registry_holds_the_usual_optimisers():
    assert {"adam", "adamw", "rmsprop", "sgd"} <= set(OPTIMIZERS.names())
    assert takes_betas("adam") and takes_betas("adamw") and not takes_betas("sgd") and not takes_betas("rmsprop")


def test_default_is_adam_with_the_config_settings_unchanged():
    opt = build_optimizer(OptimConfig(beta1=0.0, beta2=0.99, weight_decay=1e-4), _params(), lr=0.0025)
    g = opt.param_groups[0]
    assert type(opt) is torch.optim.Adam and g["lr"] == 0.0025 and g["betas"] == (0.0, 0.99) and g["weight_decay"] == 1e-4


def test_lazy_ratio_corrects_lr_and_betas_per_optimizer():
    cfg = OptimConfig(beta1=0.5, beta2=0.99)
    g = build_optimizer(cfg, _params(), lr=0.0025, ratio=16 / 17).param_groups[0]
    assert g["lr"] == pytest.approx(0.0025 * 16 / 17)
    assert g["betas"] == pytest.approx((0.5 ** (16 / 17), 0.99 ** (16 / 17)))
    sgd = build_optimizer(OptimConfig(name="sgd", options={"momentum": 0.9}), _params(), lr=0.1, ratio=0.8)
    assert type(sgd) is torch.optim.SGD and sgd.param_groups[0]["lr"] == pytest.approx(0.08)
    assert sgd.param_groups[0]["momentum"] == 0.9  # only Adam-style betas are corrected


def test_options_reach_the_constructor():
    opt = build_optimizer(OptimConfig(name="rmsprop", options={"alpha": 0.9, "eps": 1e-6}), _params(), lr=5e-5)
    assert type(opt) is torch.optim.RMSprop and opt.param_groups[0]["alpha"] == 0.9 and opt.param_groups[0]["eps"] == 1e-6


@pytest.mark.parametrize("cfg, match", [
    (OptimConfig(name="adamm"), r"optim.name: unknown optimizer 'adamm' \(did you mean 'adam'\?\); available: adam, adamw, rmsprop, sgd"),
    (OptimConfig(options={"momentum": 0.9}), r"optim.options: unknown option\(s\) momentum for optimizer 'adam'; accepted: "),
    (OptimConfig(options={"lr": 0.1}), r"optim.options: lr \(set optim.lr_g / optim.lr_d\) cannot be given"),
    (OptimConfig(name="sgd", options={"momentum": -1.0}), r"optim: cannot build 'sgd'"),
])
def test_bad_names_and_options_are_config_errors(cfg, match):
    with pytest.raises(ConfigError, match=match):
        build_optimizer(cfg, _params(), lr=1e-3)
