"""Domain accuracy: an independent classifier judges translations (StarGAN and CycleGAN models)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from tests.conftest import run_cli
from tests.tasks.test_stargan import (
    ATTRS,
    COLOURS,
    SIZE,
    TINY_STARGAN,
    _image,
    make_attributes,
    make_domains,
)
from translate.config import Config, DataConfig
from translate.evaluation.domain_accuracy import DomainModel, evaluate_domains
from translate.evaluation.domain_classifier import ClassifierSettings

FAST = ClassifierSettings(epochs=40, batch=16, lr=3e-3)
# domain folders sort as blue, green, red
SORTED = {"blue": COLOURS[2], "green": COLOURS[1], "red": COLOURS[0]}


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSLATE_CACHE", str(tmp_path / "cache"))


def _solid(colours: list[tuple[int, int, int]]):
    """An oracle translator: a flat image of the target domain's colour."""
    table = torch.tensor(colours, dtype=torch.float32) / 127.5 - 1  # [C, 3]

    def translate(x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        col = table[c.argmax(1)]  # [N, 3]
        return col[:, :, None, None].expand(-1, -1, x.shape[2], x.shape[3]).clone()

    return translate


def test_oracle_and_identity_bound_the_score(tmp_path):
    data = make_domains(tmp_path / "d", n=6)
    names = list(SORTED)
    oracle = DomainModel(_solid(list(SORTED.values())), names, "single", [], SIZE, DataConfig())
    r = evaluate_domains(oracle, str(data), settings=FAST)
    assert r["real_accuracy"] == 1.0 and r["translated_accuracy"] == 1.0
    assert r["test_images"] == 18 and r["translations"] == 18 * 2  # every other domain
    assert r["classifier"]["reused"] is False
    ident = DomainModel(lambda x, c: x, names, "single", [], SIZE, DataConfig())
    r2 = evaluate_domains(ident, str(data), settings=FAST)
    assert r2["translated_accuracy"] == 0.0 and r2["classifier"]["reused"] is True
    assert r2["classifier"]["path"] == r["classifier"]["path"] and r2["classifier"]["path"].endswith(".safetensors")


def test_cache_key_follows_the_data(tmp_path):
    data = make_domains(tmp_path / "d", n=3)
    dm = DomainModel(lambda x, c: x, list(SORTED), "single", [], SIZE, DataConfig())
    first = evaluate_domains(dm, str(data), settings=ClassifierSettings(epochs=1))
    _image(np.random.default_rng(9), COLOURS[0]).save(data / "train" / "red" / "new.png")
    second = evaluate_domains(dm, str(data), settings=ClassifierSettings(epochs=1))
    assert not second["classifier"]["reused"] and second["classifier"]["path"] != first["classifier"]["path"]


def test_multi_label_attributes(tmp_path):
    data = make_attributes(tmp_path / "celeb", n=40)
    groups = [[0, 1]]

    def hair_oracle(x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:  # hair colour decides the tint
        return _solid(COLOURS[:2])(x, c[:, :2])

    dm = DomainModel(hair_oracle, ATTRS, "multi", groups, SIZE, DataConfig())
    r = evaluate_domains(dm, str(data), settings=FAST)
    assert r["label_mode"] == "multi" and r["test_images"] == 4 and r["translations"] == 4 * 3
    assert r["per_domain"]["Black_Hair"]["translated"] == 1.0 and r["per_domain"]["Blond_Hair"]["translated"] == 1.0
    assert 0 <= r["translated_all_attributes"] <= r["translated_accuracy"] <= 1


def test_cli_on_a_trained_stargan(tmp_path, capsys):
    from translate.tasks.launch import TrainArgs, train

    data = make_domains(tmp_path / "d", n=4)
    run = train(TrainArgs(task="stargan", data=str(data), recipe="rafd", steps=2, overrides=TINY_STARGAN), out=str(tmp_path / "run"))
    argv = ["eval", "domain-accuracy", str(run), "--data", str(data), "--epochs", "2", "--json"]
    assert run_cli(argv) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["domains"] == ["blue", "green", "red"] and d["translations"] == 12 * 2 and d["size"] == SIZE
    assert set(d["per_domain"]) == {"blue", "green", "red"} and 0 <= d["translated_accuracy"] <= 1
    assert run_cli(argv) == 0 and json.loads(capsys.readouterr().out)["classifier"]["reused"] is True
    assert run_cli(["eval", "domain-accuracy", str(run), "--data", str(tmp_path / "nope")]) == 2


def test_cyclegan_generator_file(tmp_path, capsys):
    """A two-domain CycleGAN file (G_A: AtoB, G_B: BtoA, as the cyclegan task writes them)."""
    import translate.nets  # noqa: F401  (registers the nets)
    from translate.checkpoint import save_generators
    from translate.config import NetConfig
    from translate.registry import GENERATORS
    from translate.tasks.base import build_net
    rng = np.random.default_rng(0)
    for split, n in (("train", 6), ("test", 3)):
        for side, colour in zip("AB", COLOURS[:2]):
            d = tmp_path / "h2z" / f"{split}{side}"
            d.mkdir(parents=True)
            for i in range(n):
                _image(rng, colour).save(d / f"{i}.png")
    cfg = Config(task="cyclegan", data=DataConfig(crop_size=SIZE, load_size=SIZE))
    net_cfg = NetConfig(arch="resnet", options={"ngf": 4, "n_blocks": 1})
    gens = {k: build_net(GENERATORS, net_cfg) for k in ("G_A", "G_B")}
    model = save_generators(tmp_path / "cg.safetensors", gens, task="cyclegan", config=cfg,
                            net_meta={"G_A": {"direction": "AtoB"}, "G_B": {"direction": "BtoA"}})
    assert run_cli(["eval", "domain-accuracy", str(model), "--data", str(tmp_path / "h2z"), "--epochs", "2", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["domains"] == ["A", "B"] and d["test_images"] == 6 and d["translations"] == 6


def test_pix2pix_model_is_refused(tmp_path, capsys):
    import translate.nets  # noqa: F401  (registers the nets)
    from translate.checkpoint import save_generators
    from translate.config import NetConfig
    from translate.registry import GENERATORS
    from translate.tasks.base import build_net
    g = build_net(GENERATORS, NetConfig(arch="resnet", options={"ngf": 4, "n_blocks": 1}))
    model = save_generators(tmp_path / "p.safetensors", {"G": g}, task="pix2pix", config=Config(task="pix2pix"))
    Path(tmp_path / "d").mkdir()
    assert run_cli(["eval", "domain-accuracy", str(model), "--data", str(tmp_path / "d")]) == 2
    assert "cyclegan, stargan" in capsys.readouterr().err
