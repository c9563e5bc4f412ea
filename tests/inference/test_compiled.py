"""``TorchBackend(compile=...)``: torch.compile with frozen weights gives eager's outputs; padding and bad usage."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from torch._dynamo.utils import counters

import translate.nets  # noqa: F401  (registers the nets)
from translate import checkpoint as ckpt
from translate.errors import ConfigError
from translate.inference import open_translator
from translate.inference.backend import TorchBackend
from translate.inference.compiled import COMPILE_MODES, CompiledNet, check_compile_mode, pad_batch, use_compiled
from translate.registry import GENERATORS

SMALL = {"unet": {"num_downs": 5, "ngf": 4}, "resnet": {"n_blocks": 1, "ngf": 4}}  # BatchNorm+dropout, InstanceNorm+reflection


def _file(tmp_path: Path, arch: str) -> Path:
    torch.manual_seed(0)
    net = GENERATORS.build(arch, **SMALL[arch]).eval()
    net.translate_spec = {"arch": arch, "options": SMALL[arch]}
    return ckpt.save_generators(tmp_path / f"{arch}.safetensors", {"G": net}, task="pix2pix", config=None,
                                net_meta={"G": {"direction": "AtoB"}})


def test_pad_batch_repeats_the_last_item_of_batched_inputs_only() -> None:
    x = torch.arange(2 * 3, dtype=torch.float32).reshape(2, 3)  # [2, 3]
    psi = torch.tensor([0.7])  # [1]: no batch axis
    out = pad_batch({"input": x, "psi": psi}, {"input"}, 4)
    assert out["input"].shape == (4, 3) and torch.equal(out["input"][:2], x)
    assert torch.equal(out["input"][2], x[1]) and torch.equal(out["input"][3], x[1])
    assert out["psi"] is psi
    assert pad_batch({"input": x}, {"input"}, 2)["input"] is x  # already full: untouched


@pytest.mark.slow  # inductor codegen of a small net: 10-30 s on 2 loaded CPU cores
@pytest.mark.parametrize("arch", list(SMALL))
def test_compiled_backend_matches_eager_and_pads_a_smaller_batch(arch: str, tmp_path: Path) -> None:
    model = _file(tmp_path, arch)
    eager = TorchBackend(model, device="cpu", channels_last=False)
    fast = TorchBackend(model, device="cpu", compile="default")
    assert fast.compile == "default" and eager.compile is None
    x = np.random.default_rng(0).uniform(-1, 1, (3, 3, 32, 32)).astype(np.float32)  # [3, 3, 32, 32]
    graphs = counters["stats"]["unique_graphs"]
    a, b = fast.run({"input": x}), eager.run({"input": x})
    assert a.shape == b.shape == (3, 3, 32, 32) and a.flags["C_CONTIGUOUS"]
    assert float(np.abs(a - b).max()) < 1e-4  # fused kernels and folded weights round differently, nothing more
    small = fast.run({"input": x[:2]})  # padded up to the compiled batch of 3, extra row dropped
    assert small.shape == (2, 3, 32, 32) and float(np.abs(small - b[:2]).max()) < 1e-4
    assert counters["stats"]["unique_graphs"] - graphs == 1  # the padded batch reused the graph (same shape and strides)
    one = fast.run({"input": x[:1]})  # 1 of 3: under half full, run eager (no padding, no new graph)
    assert one.shape == (1, 3, 32, 32) and float(np.abs(one - b[:1]).max()) < 1e-4
    assert counters["stats"]["unique_graphs"] - graphs == 1
    assert isinstance(fast._runner, CompiledNet) and fast._runner.config["freezing"]
    assert fast._runner.module is fast.module and eager._runner is eager.module  # .module stays the plain net (exports)


def test_use_compiled_pads_only_above_half_full() -> None:
    assert use_compiled(8, 8) and use_compiled(5, 8) and not use_compiled(4, 8) and not use_compiled(1, 8)


def test_compile_bad_usage(tmp_path: Path) -> None:
    model = _file(tmp_path, "unet")
    assert check_compile_mode(None) is None and set(COMPILE_MODES) >= {"default"}
    with pytest.raises(ConfigError, match="expected one of default"):
        TorchBackend(model, device="cpu", compile="fastest")
    with pytest.raises(ConfigError, match="needs eval mode"):
        TorchBackend(model, device="cpu", compile="default", train_mode=True)
    with pytest.raises(ConfigError, match="needs --backend torch"):
        open_translator(model, "onnx", device="cpu", compile="default")


def test_predict_compile_refuses_latent_sampling(tmp_path: Path, capsys) -> None:
    from tests.conftest import run_cli

    assert run_cli(["predict", str(_file(tmp_path, "unet")), "--num", "2", "--compile", "--out", str(tmp_path / "o")]) == 2
    assert "--compile: image-to-image models only" in capsys.readouterr().err
