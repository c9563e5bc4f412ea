"""Per-objective recommended settings: every objective has them, train --set gan.loss starts from them."""

import pytest

import translate.core  # noqa: F401  (registration)
from tests.conftest import TINY_PIX2PIX
from translate.config import Config, deep_merge, from_dict, to_dict
from translate.core.losses import objective_names
from translate.core.objective_settings import OBJECTIVE_SETTINGS, objective_layer, settings_for
from translate.tasks.launch import TrainArgs, build_config


@pytest.mark.parametrize("name", objective_names())
def test_every_objective_has_valid_settings(name):
    s = settings_for(name)
    assert s.source and name in OBJECTIVE_SETTINGS
    cfg = from_dict(Config, deep_merge(to_dict(Config()), s.overrides()), "settings")  # valid config keys and types
    assert cfg.optim.lr_g == s.lr_g and cfg.train.n_critic == s.n_critic and cfg.gan.penalty == s.gan_keys()["penalty"]
    toy = s.for_toy()
    assert toy.lr_g == (s.toy_lr or s.lr_g) and toy.gan == {**s.gan, **s.toy_gan}


def test_aliases_and_papers_values():
    assert settings_for("vanilla") is settings_for("nonsaturating")
    gp = settings_for("wgan-gp")
    assert (gp.lr_g, gp.beta1, gp.beta2, gp.n_critic, gp.gan_keys()["penalty"], gp.gan_keys()["penalty_weight"]) == (
        1e-4, 0.5, 0.9, 5, "gp", 10.0)
    w = settings_for("wgan")
    assert (w.optimizer, w.lr_g, w.gan_keys()["clip"]) == ("rmsprop", 5e-5, 0.01)
    r3 = settings_for("rpgan")
    assert (r3.beta1, r3.beta2, r3.gan_keys()["penalty"]) == (0.0, 0.9, "r1r2")
    assert objective_layer("vanilla", "nonsaturating") is None  # the same objective: the recipe stays


def _cfg(*extra, shared=False):
    return build_config(TrainArgs(task="pix2pix", overrides=[*TINY_PIX2PIX, *extra], shared_settings=shared))


def test_set_gan_loss_starts_from_the_objectives_settings():
    base = _cfg()
    assert (base.optim.lr_g, base.train.n_critic, base.gan.penalty) == (2e-4, 1, "none")  # the pix2pix recipe
    gp = _cfg("gan.loss=wgan-gp")
    assert (gp.optim.lr_g, gp.optim.lr_d, gp.optim.beta2, gp.train.n_critic, gp.gan.penalty) == (1e-4, 1e-4, 0.9, 5, "gp")
    # what the user gives explicitly wins over the objective's settings
    mine = _cfg("gan.loss=wgan-gp", "optim.lr_g=3e-4", "train.n_critic=2")
    assert (mine.optim.lr_g, mine.optim.lr_d, mine.train.n_critic) == (3e-4, 1e-4, 2)
    # --shared-settings: the recipe's optimiser with the new objective
    kept = _cfg("gan.loss=wgan-gp", shared=True)
    assert (kept.optim.lr_g, kept.train.n_critic, kept.gan.loss) == (2e-4, 1, "wgan-gp")
    # the objective's penalty replaces one the recipe chose for another objective
    hinge = build_config(TrainArgs(task="stylegan", overrides=["gan.loss=hinge"]))
    assert (hinge.gan.penalty, hinge.gan.spectral_norm, hinge.train.n_critic) == ("none", True, 5)
    assert build_config(TrainArgs(task="stylegan")).gan.penalty == "r1"
