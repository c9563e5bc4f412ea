"""Config layering, strict validation and dotted overrides."""

import dataclasses
import typing

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


# ----------------------------------------------------------------------------- every key of every section


def _leaves(cls=C.Config, prefix=""):
    """(dotted key, field, type) of every value field of the config dataclasses, sections walked into."""
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if dataclasses.is_dataclass(hints[f.name]):
            yield from _leaves(hints[f.name], f"{prefix}{f.name}.")
        else:
            yield f"{prefix}{f.name}", f, hints[f.name]


LEAVES = list(_leaves())
WRONG_TYPE = {int: "{x: 1}", float: "{x: 1}", bool: "{x: 1}", str: "{x: 1}", list[str]: "{x: 1}", dict: "[1, 2]"}


def test_the_walk_sees_every_section():
    sections = {k.split(".")[0] for k, _, _ in LEAVES if "." in k}
    assert sections == {"generator", "discriminator", "gan", "optim", "schedule", "data", "train", "progressive"}
    assert len(LEAVES) >= 78  # 78 keys when this test was written; the walk must not lose any


@pytest.mark.parametrize("key, f, tp", LEAVES, ids=[k for k, _, _ in LEAVES])
def test_every_key_declares_a_rule_and_refuses_bad_values_in_one_line(key, f, tp, tmp_path, capsys):
    """Each field says what it takes; a value breaking it, or of the wrong type, is a one-line error naming the key (exit 2)."""
    from tests.conftest import run_cli

    check = C.field_rule(f)
    assert check is not None, f"{key} declares no value rule (config.rule(default, AtLeast/Between/OneOf/Free))"
    bad = [WRONG_TYPE[dict if typing.get_origin(tp) is dict else tp]]
    default = f.default if f.default_factory is dataclasses.MISSING else f.default_factory()
    assert check.problem(default) is None, f"{key}: the default breaks its own rule"
    if check.violation() is not None:
        bad.append(str(check.violation()))
    for value in bad:
        with pytest.raises(ConfigError, match=rf"config\.{key}: ") as info:
            C.resolve([("recipe", {"task": "pix2pix"})], [f"{key}={value}"])
        assert "\n" not in str(info.value)
        assert run_cli(["train", "pix2pix", "--data", str(tmp_path), "--set", f"{key}={value}"]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and f"config.{key}: " in err, err


def test_steps_and_epochs_both_zero_is_refused():
    with pytest.raises(ConfigError, match="nothing to train"):
        C.resolve([("r", {})], ["train.steps=0", "train.epochs=0"])
