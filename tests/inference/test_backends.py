"""One Translator, two backends: torch and onnxruntime build the same feeds and give the same outputs.

For each generator kind (``image``, ``image+domain``, ``latent`` with class labels and with psi), a
tiny generator file is opened on the torch backend and, through ``translate export``, on onnxruntime;
the conditioning a user gives turns into identical feeds (the code that builds them exists once, in
``translate.runtime``) and both backends agree on the outputs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from tests.export.test_parity import tiny
from translate import checkpoint as ckpt
from translate.errors import ConfigError
from translate.export.exporter import export_model
from translate.inference import open_translator
from translate.inference.backend import TorchBackend
from translate.runtime.onnx import OnnxBackend

CASES = {  # name -> (generator, per-net metadata, conditioning, first input)
    "image": ("unet_128", {}, {}, "image"),
    "image+domain": ("stargan", {"domains": ["red", "green", "blue", "x", "y"], "label_mode": "single"}, {"domain": "green"}, "image"),
    "latent+labels": ("dcgan_32", {}, {"y": [1, 0, 3]}, "latent"),
    "latent+psi": ("stylegan", {}, {"psi": 0.7}, "latent"),
}


def _file(tmp_path: Path, case: str) -> Path:
    name, meta, _, _ = CASES[case]
    net = tiny(name)
    if case == "latent+labels":
        torch.manual_seed(0)
        from translate.registry import GENERATORS

        net = GENERATORS.build(name, ngf=8, num_classes=4).eval()
        net.translate_spec = {"arch": name, "options": {"ngf": 8, "num_classes": 4}}
    if hasattr(net, "z_dim"):
        meta = {**meta, "z_dim": int(net.z_dim), "num_classes": int(getattr(net, "num_classes", 0) or 0)}
    return ckpt.save_generators(tmp_path / f"{case}.safetensors", {"G": net}, task="test", config=None, net_meta={"G": meta})


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_same_feeds_and_outputs_on_both_backends(case: str, tmp_path: Path) -> None:
    model = _file(tmp_path, case)
    export_model(model, tmp_path / f"{case}.onnx", log=lambda s: None)
    on_torch = open_translator(model, device="cpu")
    on_ort = open_translator(tmp_path / f"{case}.onnx", device="cpu")
    assert isinstance(on_torch.backend, TorchBackend) and isinstance(on_ort.backend, OnnxBackend)
    assert list(on_torch.inputs) == list(on_ort.inputs)
    assert on_torch.num_params == on_ort.num_params > 0  # counted on torch, recorded in the export
    _, _, cond, first = CASES[case]
    rng = np.random.default_rng(0)
    side = max(32, on_torch.info.input_multiple)
    x = rng.standard_normal((3, on_torch.z_dim)).astype(np.float32) if first == "latent" else \
        rng.uniform(-1, 1, (3, 3, side, side)).astype(np.float32)
    f_torch, f_ort = on_torch.feeds(x, cond), on_ort.feeds(x, cond)
    assert f_torch.keys() == f_ort.keys() and all(np.array_equal(f_torch[k], f_ort[k]) for k in f_torch)
    a, b = on_torch.backend.run(f_torch), on_ort.backend.run(f_ort)
    assert a.shape == b.shape and float(np.abs(a - b).max()) < 1e-4


def test_conditioning_errors_are_the_same_on_both_backends(tmp_path: Path) -> None:
    model = _file(tmp_path, "image+domain")
    export_model(model, tmp_path / "s.onnx", log=lambda s: None)
    x = np.zeros((1, 3, 16, 16), np.float32)
    messages = []
    for tr in (open_translator(model, device="cpu"), open_translator(tmp_path / "s.onnx", device="cpu")):
        for cond in ({}, {"domain": "purple"}, {"domain": "red", "psi": 0.5}, {"domain": "red", "y": 1}):
            with pytest.raises(ConfigError) as err:
                tr.feeds(x, cond)
            messages.append(str(err.value).split(": ", 1)[1])
    assert messages[:4] == messages[4:]


def test_channels_last_is_the_cpu_default_for_unets_and_matches_nchw(cyclegan_file: Path, tmp_path: Path) -> None:
    unet = ckpt.save_generators(tmp_path / "unet.safetensors", {"G": tiny("unet_128")}, task="pix2pix", config=None,
                                net_meta={"G": {"direction": "AtoB"}})
    fast = TorchBackend(unet, device="cpu")
    plain = TorchBackend(unet, device="cpu", channels_last=False)
    assert fast.channels_last and not plain.channels_last
    assert not TorchBackend(cyclegan_file, device="cpu").channels_last  # InstanceNorm + reflection padding: slower in NHWC
    assert next(p for p in fast.module.parameters() if p.dim() == 4).is_contiguous(memory_format=torch.channels_last)
    x = np.random.default_rng(0).uniform(-1, 1, (2, 3, 128, 128)).astype(np.float32)
    a, b = fast.run({"input": x}), plain.run({"input": x})
    assert a.flags["C_CONTIGUOUS"] and a.shape == b.shape == (2, 3, 128, 128)
    assert float(np.abs(a - b).max()) < 1e-5  # NHWC kernels round differently, nothing more
