"""translate.evaluation.sample_eval + features and the ``translate eval METRICS TARGET`` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from translate.errors import ConfigError, InputError
from translate.evaluation import features as feats
from translate.evaluation.metrics import SAMPLE_METRICS
from translate.evaluation.sample_eval import evaluate_samples, parse_metrics


def _folder(root, n: int, seed: int, classes: int = 0, size: int = 24):
    """Images of coloured blocks; with ``classes``, one subfolder per class (class = block colour)."""
    rng = np.random.default_rng(seed)
    for i in range(n):
        k = i % max(1, classes)
        a = rng.integers(0, 60, (size, size, 3), dtype=np.uint8)
        a[4:16, 4:16, k % 3] = 200 + (k // 3) * 20
        d = root / str(k) if classes else root
        d.mkdir(parents=True, exist_ok=True)
        Image.fromarray(a).save(d / f"{i:03d}.png")
    return root


def test_parse_metrics() -> None:
    assert parse_metrics("fid, kid,pr") == ["fid", "kid", "pr"]
    with pytest.raises(ConfigError, match="unknown sample metric 'nope'; available: fid, kid, is"):
        parse_metrics("fid,nope")


def test_resize_rule_is_pil_bicubic_uint8() -> None:
    img = Image.fromarray(np.random.default_rng(0).integers(0, 255, (20, 20, 3), dtype=np.uint8))
    out = feats.to_uint8(img, 32)
    assert out.dtype == np.uint8 and out.shape == (32, 32, 3)
    assert np.array_equal(out, np.asarray(img.resize((32, 32), Image.BICUBIC)))


def test_pixels_folder_vs_itself_and_cache(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TRANSLATE_CACHE", str(tmp_path / "cache"))
    real = _folder(tmp_path / "real", 40, 0)
    r = evaluate_samples("fid,pr,1nn,swd,kid,dc,mmd", str(real), str(real), features="pixels", size=16)
    assert r["extractor"] == "pixels" and r["num_real"] == r["num_fake"] == 40 and r["feature_dim"] == 3 * 16 * 16
    assert r["resize"] == "PIL bicubic to 16x16, uint8" and not r["real_features_cached"]
    m = r["metrics"]
    assert abs(m["fid"]["fid"]) < 1e-6 and m["pr"]["precision"] == m["pr"]["recall"] == 1.0
    assert m["1nn"]["1nn"] == 0.0  # exact copies: every point's nearest other is its twin of the other label (memorised)
    again = evaluate_samples("fid", str(real), str(real), features="pixels", size=16)
    assert again["real_features_cached"] and again["metrics"]["fid"]["fid"] == pytest.approx(m["fid"]["fid"], abs=1e-9)


def test_logit_metrics_need_a_classifying_extractor(tmp_path) -> None:
    real = _folder(tmp_path / "real", 8, 0)
    with pytest.raises(ConfigError, match="is needs class logits"):
        evaluate_samples("is", str(real), str(real), features="pixels")


def test_classifier_features(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TRANSLATE_CACHE", str(tmp_path / "cache"))
    train = _folder(tmp_path / "train", 192, 0, classes=3)
    test, other = _folder(tmp_path / "test", 48, 1, classes=3), _folder(tmp_path / "noise", 48, 2)
    kw = dict(features="classifier", classifier_data=str(train), size=24)
    close = evaluate_samples("fid,is,mode-score,pr", str(test), str(train), **kw)["metrics"]
    far = evaluate_samples("fid,is,mode-score,pr", str(other), str(train), **kw)["metrics"]
    assert close["fid"]["fid"] < far["fid"]["fid"]
    assert close["is"]["is"] > 1.5 > far["is"]["is"]  # 3 balanced, recognised classes vs one
    assert close["mode-score"]["mode_score"] > far["mode-score"]["mode_score"]
    with pytest.raises(InputError, match="one subfolder per class"):
        evaluate_samples("fid", str(test), str(train), features="classifier", classifier_data=str(other))


def test_missing_inception_weights_one_line(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TRANSLATE_CACHE", str(tmp_path / "cache"))
    with pytest.raises(InputError) as e:
        feats.inception_weights()
    msg = str(e.value)
    assert "\n" not in msg and feats.INCEPTION_FILE in msg and "sha256 6726825d" in msg and str(tmp_path / "cache" / "inception") in msg


def test_cli_metric_list_and_errors(tmp_path) -> None:
    real = _folder(tmp_path / "real", 12, 0)
    fake = _folder(tmp_path / "fake", 12, 5)
    env = {**os.environ, "TRANSLATE_CACHE": str(tmp_path / "cache")}

    def run(*a: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "translate", "eval", *a], capture_output=True, text=True, env=env)

    p = run("fid,1nn", str(fake), "--real", str(real), "--features", "pixels", "--json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert set(d["metrics"]) == {"fid", "1nn"} and d["num_real"] == 12 and d["num_fake"] == 12
    p = run("fid", str(fake), "--real", str(real), "--features", "pixels")
    assert p.returncode == 0 and "extractor pixels" in p.stdout and "12 real" in p.stdout and "bicubic" in p.stdout
    p = run("fid", str(fake), "--real", str(real), "--features", "inception")
    assert p.returncode == 2 and "Traceback" not in p.stderr and feats.INCEPTION_FILE in p.stderr + p.stdout
    p = run("fidd", str(fake), "--real", str(real))
    assert p.returncode == 2 and "available: fid" in p.stderr + p.stdout
    assert SAMPLE_METRICS[0] == "fid"


def _dcgan_file(tmp_path):
    from tests.export.test_parity import tiny
    from translate import checkpoint as ckpt

    net = tiny("dcgan_32")
    meta = {"z_dim": int(net.z_dim), "num_classes": 0}
    return ckpt.save_generators(tmp_path / "g.safetensors", {"G": net}, task="test", config=None, net_meta={"G": meta})


def test_latent_model_torch_and_onnx_samples(tmp_path, monkeypatch) -> None:
    """A latent generator draws --num seeded samples, in chunks; its ONNX export on onnxruntime gives the same metrics."""
    from translate.evaluation import sample_eval
    from translate.export.exporter import export_model

    monkeypatch.setenv("TRANSLATE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(sample_eval, "GEN_CHUNK", 7)  # several chunks
    real = _folder(tmp_path / "real", 30, 0)
    g = _dcgan_file(tmp_path)
    onnx = tmp_path / "g.onnx"
    export_model(g, onnx, log=lambda s: None)
    a = evaluate_samples("fid,pr", str(g), str(real), features="pixels", size=16, num=20, seed=4)
    b = evaluate_samples("fid,pr", str(onnx), str(real), features="pixels", size=16, num=20, seed=4)
    c = evaluate_samples("fid,pr", str(g), str(real), features="pixels", size=16, num=20, seed=5)
    assert a["source"] == "model" and a["num_fake"] == 20 and a["num_real"] == 30
    assert b["metrics"]["fid"]["fid"] == pytest.approx(a["metrics"]["fid"]["fid"], rel=1e-3)
    assert c["metrics"]["fid"]["fid"] != a["metrics"]["fid"]["fid"]


@pytest.mark.slow
def test_inception_end_to_end_with_a_random_weights_file(tmp_path, monkeypatch) -> None:
    """A randomly initialised torch-fidelity Inception saved as its state dict runs through the CLI path."""
    import torch
    from torch_fidelity import feature_extractor_inceptionv3 as fe

    with monkeypatch.context() as m:  # build the network without its weights, random init
        m.setattr(fe, "load_state_dict_from_url", lambda *a, **k: {})
        m.setattr(fe.FeatureExtractorInceptionV3, "load_state_dict", lambda self, sd, *a, **k: None)
        torch.manual_seed(0)
        net = fe.FeatureExtractorInceptionV3("inception-v3-compat", ["2048", "logits_unbiased"])
    cache = tmp_path / "cache"
    (cache / "inception").mkdir(parents=True)
    torch.save(net.state_dict(), cache / "inception" / feats.INCEPTION_FILE)
    monkeypatch.setenv("TRANSLATE_CACHE", str(cache))
    real, fake = _folder(tmp_path / "real", 6, 0), _folder(tmp_path / "fake", 6, 3)
    r = evaluate_samples("fid,is,kid,pr", str(fake), str(real), features="inception")
    assert r["extractor"] == "inception" and r["feature_dim"] == 2048 and r["resize"] == "PIL bicubic to 299x299, uint8"
    assert np.isfinite(r["metrics"]["fid"]["fid"]) and r["metrics"]["is"]["is"] >= 1.0
    bad = tmp_path / "bad.pth"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(InputError, match="bad.pth: not a usable Inception-v3 weights file"):
        feats.build_extractor("inception", weights=str(bad))


def test_num_takes_a_seeded_subset_across_class_folders(tmp_path) -> None:
    """--num / --num-real on a folder of class sub-folders: a seeded random subset, not the first classes."""
    root = _folder(tmp_path / "cls", 60, 0, classes=3)  # 20 images in each of 0/, 1/, 2/
    a, b = feats.folder_files(str(root), 15, seed=0), feats.folder_files(str(root), 15, seed=1)
    assert len(a) == 15 and a == feats.folder_files(str(root), 15, seed=0) and a != b
    assert {p.parent.name for p in a} == {"0", "1", "2"} and a == sorted(a)
    assert len(feats.folder_files(str(root), 0)) == len(feats.folder_files(str(root), 99)) == 60
