"""Config layering, strict validation and dotted overrides."""

import pytest

from translate import config as C
from translate.errors import ConfigError


def test_layers_and_overrides_resolve_in_order():
    cfg = C.resolve(
        [("recipe", {"task": "pix2pix", "optim": {"lr_g": "2e-4"}, "generator": {"arch": "unet_256", "ngf": 64}}),
         ("user.yaml", {"train": {"batch_size": 4}})],
        ["optim.lr_g=1e-4", "generator.norm=instance", "data.domains=a,b"],
    )
    assert cfg.optim.lr_g == pytest.approx(1e-4)  # --set wins over the recipe
    assert cfg.train.batch_size == 4
    assert cfg.generator.arch == "unet_256" and cfg.generator.options == {"ngf": 64, "norm": "instance"}
    assert cfg.data.domains == ["a", "b"]


def test_unknown_key_names_file_and_suggests():
    with pytest.raises(ConfigError, match=r"user.yaml: config.train: unknown key 'stepz' \(did you mean 'steps'\?\)"):
        C.resolve([("user.yaml", {"train": {"stepz": 3}})])


@pytest.mark.parametrize("override, message", [
    ("train.steps=abc", "expected an integer"),
    ("train.amp", "expected key=value"),
    ("train.steps.x=1", "is not a section"),
    ("train.progress=maybe", "expected true/false"),
])
def test_bad_overrides(override, message):
    with pytest.raises(ConfigError, match=message):
        C.resolve([("r", {})], [override])


def test_yaml_round_trip(tmp_path):
    cfg = C.resolve([("r", {"task": "pix2pix", "generator": {"arch": "unet_128", "use_dropout": False}})])
    p = tmp_path / "config.yaml"
    C.save(cfg, p)
    assert C.load(p) == cfg


def test_bad_yaml_file(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("train: [1, 2\n")
    with pytest.raises(ConfigError, match="bad.yaml: not valid YAML"):
        C.load_yaml(p)
    p.write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        C.load_yaml(p)
    with pytest.raises(ConfigError, match="config file not found"):
        C.load_yaml(tmp_path / "missing.yaml")
