"""translate.evaluation.translation_eval: `translate eval METRICS MODEL --real DATA` for translation models."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from tests.conftest import run_cli
from tests.tasks.test_stargan import COLOURS, SIZE, TINY_STARGAN, _image, make_domains
from translate.errors import ConfigError, InputError
from translate.evaluation import features as feats
from translate.evaluation.sample_eval import evaluate_samples
from translate.evaluation.translation_eval import evaluate_translations
from translate.runtime.modelinfo import InputSpec, ModelInfo
from translate.runtime.translator import Translator


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSLATE_CACHE", str(tmp_path / "cache"))


class _Identity:
    """A backend whose generator returns its input: the translations are the prepared sources."""

    name, static_hw, num_params, facts = "identity", None, 0, {}

    def __init__(self, direction: str) -> None:
        self.info = ModelInfo("identity", "pix2pix", "G", "id", "image", 1, direction=direction, crop_size=SIZE)
        self.inputs = {"input": InputSpec("input", "float32", ["N", 3, "H", "W"])}

    def run(self, feeds: dict) -> np.ndarray:
        return feeds["input"]


def _ident(direction: str) -> dict[str, Translator]:
    return {direction: Translator(_Identity(direction))}


def _aligned(root, n: int, same: bool):
    """``root/test/i.png``: A|B pairs, A red-ish, B blue-ish (or B = A)."""
    rng = np.random.default_rng(0)
    (root / "test").mkdir(parents=True)
    for i in range(n):
        a = np.asarray(_image(rng, COLOURS[0]))
        b = a if same else np.asarray(_image(rng, COLOURS[2]))
        Image.fromarray(np.concatenate([a, b], 1)).save(root / "test" / f"{i}.png")
    return root


def _unpaired(root, n: int = 5):
    rng = np.random.default_rng(0)
    for split in ("train", "test"):
        for side, colour in zip("AB", COLOURS[:2]):
            d = root / f"{split}{side}"
            d.mkdir(parents=True)
            for i in range(n + (side == "B")):  # B has one more image: counts tell the sides apart
                _image(rng, colour).save(d / f"{i}.png")
    return root


def _cyclegan_file(tmp_path):
    import translate.nets  # noqa: F401  (registers the nets)
    from translate.checkpoint import save_generators
    from translate.config import Config, DataConfig, NetConfig
    from translate.registry import GENERATORS
    from translate.tasks.base import build_net

    cfg = Config(task="cyclegan", data=DataConfig(crop_size=SIZE, load_size=SIZE))
    net_cfg = NetConfig(arch="resnet", options={"ngf": 4, "n_blocks": 1})
    gens = {k: build_net(GENERATORS, net_cfg) for k in ("G_A", "G_B")}
    meta = {"direction": "AtoB", "crop_size": SIZE}
    return save_generators(tmp_path / "cg.safetensors", gens, task="cyclegan", config=cfg,
                           net_meta={"G_A": meta, "G_B": {**meta, "direction": "BtoA"}})


def test_aligned_halves_and_direction(tmp_path) -> None:
    """An identity model on A|B pairs: the A halves vs the B halves; with B = A every metric says 'identical'."""
    ex = feats.build_extractor("pixels", size=SIZE)
    same = _aligned(tmp_path / "same", 6, same=True)
    r = evaluate_translations(["fid", "pr"], "identity", _ident("AtoB"), str(same), ex)
    assert r["layout"] == "aligned" and list(r["comparisons"]) == ["AtoB"]
    c = r["comparisons"]["AtoB"]
    assert c["num_real"] == c["num_fake"] == 6 and abs(c["metrics"]["fid"]["fid"]) < 1e-3  # rank-5 sqrtm noise
    assert c["metrics"]["pr"]["precision"] == c["metrics"]["pr"]["recall"] == 1.0
    diff = _aligned(tmp_path / "diff", 6, same=False)
    ab = evaluate_translations(["fid"], "identity", _ident("AtoB"), str(diff), ex)["comparisons"]["AtoB"]
    ba = evaluate_translations(["fid"], "identity", _ident("BtoA"), str(diff), ex)["comparisons"]
    assert list(ba) == ["BtoA"] and ab["metrics"]["fid"]["fid"] > 1.0
    # red halves as the fakes against blue reals, or blue against red: same sets swapped, same FID
    assert ba["BtoA"]["metrics"]["fid"]["fid"] == pytest.approx(ab["metrics"]["fid"]["fid"], rel=1e-6)


def test_cyclegan_each_direction_torch_and_onnx(tmp_path) -> None:
    """A CycleGAN file: AtoB (testA translated vs testB) and BtoA; its AtoB ONNX export: AtoB only, same values."""
    from translate.export.exporter import export_model

    data = _unpaired(tmp_path / "h2z")
    model = _cyclegan_file(tmp_path)
    r = evaluate_samples("fid,kid,1nn", str(model), str(data), features="pixels", size=SIZE)
    assert r["task"] == "cyclegan" and r["layout"] == "unpaired" and r["split"] == "test"
    a2b, b2a = r["comparisons"]["AtoB"], r["comparisons"]["BtoA"]
    assert (a2b["num_fake"], a2b["num_real"], b2a["num_fake"], b2a["num_real"]) == (5, 6, 6, 5)
    assert r["num_fake"] == r["num_real"] == 11 and not r["real_features_cached"]
    assert set(a2b["metrics"]) == {"fid", "kid", "1nn"} and np.isfinite(a2b["metrics"]["fid"]["fid"])
    # the fakes are exactly the translations predict makes: FID recomputed from them by hand
    from translate.inference import open_translator
    from translate.runtime.imagefiles import list_images

    tr = open_translator(model, direction="AtoB")
    outs = tr.translate([Image.open(p).convert("RGB") for p in list_images(data / "testA")], size=SIZE)
    fake = ex_feats(outs)
    real = ex_feats([Image.open(p).convert("RGB") for p in list_images(data / "testB")])
    from translate.evaluation.sample_metrics import fid

    assert a2b["metrics"]["fid"]["fid"] == pytest.approx(fid(real, fake)["fid"], rel=1e-9)
    onnx = tmp_path / "a2b.onnx"
    export_model(model, onnx, direction="AtoB", log=lambda s: None)
    o = evaluate_samples("fid", str(onnx), str(data), features="pixels", size=SIZE)
    assert list(o["comparisons"]) == ["AtoB"] and o["real_features_cached"]
    assert o["comparisons"]["AtoB"]["metrics"]["fid"]["fid"] == pytest.approx(a2b["metrics"]["fid"]["fid"], rel=1e-3)
    sub = evaluate_samples("fid", str(model), str(data), features="pixels", size=SIZE, num=3, num_real=4)
    assert sub["comparisons"]["AtoB"]["num_fake"] == 3 and sub["comparisons"]["BtoA"]["num_real"] == 4


def ex_feats(images: list) -> np.ndarray:
    ex = feats.build_extractor("pixels", size=SIZE)
    return ex.run(np.stack([feats.to_uint8(im, SIZE) for im in images]))[0]


def test_stargan_every_target_domain_cli(tmp_path, capsys) -> None:
    """A tiny StarGAN run on domains: one comparison per target domain, sources = the other domains' test images."""
    from translate.tasks.launch import TrainArgs, train

    data = make_domains(tmp_path / "d", n=4)
    run = train(TrainArgs(task="stargan", data=str(data), recipe="rafd", steps=2, overrides=TINY_STARGAN), out=str(tmp_path / "run"))
    argv = ["eval", "fid,is,pr", str(run), "--real", str(data), "--classifier-data", str(data / "train"), "--size", str(SIZE)]
    assert run_cli([*argv, "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["layout"] == "domains" and d["extractor"] == "classifier" and list(d["comparisons"]) == ["blue", "green", "red"]
    for c in d["comparisons"].values():
        assert c["num_fake"] == 8 and c["num_real"] == 4 and set(c["metrics"]) == {"fid", "is", "pr"}
    assert run_cli(argv) == 0
    out = capsys.readouterr().out
    assert "domains layout, split test" in out and "blue (8 fake / 4 real)" in out and "(cached)" in out
    assert run_cli(["eval", "fid", str(run), "--real", str(data), "--split", "val", "--features", "pixels"]) == 2


def test_wrong_data_for_the_model(tmp_path) -> None:
    ex = feats.build_extractor("pixels", size=SIZE)
    doms = make_domains(tmp_path / "d", n=2)
    with pytest.raises(ConfigError, match="domains layout needs a multi-domain"):
        evaluate_translations(["fid"], "identity", _ident("AtoB"), str(doms), ex)
    flat = tmp_path / "flat"
    flat.mkdir()
    _image(np.random.default_rng(0), COLOURS[0]).save(flat / "x.png")
    with pytest.raises(ConfigError, match="no derived-pairs model"):
        evaluate_translations(["fid"], "identity", _ident("AtoB"), str(flat), ex)
    with pytest.raises(InputError, match="no such data folder"):
        evaluate_translations(["fid"], "identity", _ident("AtoB"), str(tmp_path / "nope"), ex)
