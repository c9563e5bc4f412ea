"""Generator files rebuild themselves; reference-repo checkpoints import; bad files are refused."""

from __future__ import annotations

import pytest
import torch
from PIL import Image

import translate.nets  # noqa: F401  (registers the nets)
from tests.conftest import run_cli
from translate import checkpoint as ckpt
from translate.config import resolve
from translate.errors import CheckpointError
from translate.nets.loading import load_generators, load_reference
from translate.registry import GENERATORS


def _built(arch: str, **opts):
    net = GENERATORS.build(arch, **opts)
    net.translate_spec = {"arch": arch, "options": opts}
    return net.eval()


def test_generator_file_round_trip(tmp_path):
    g = _built("unet", num_downs=5, ngf=8)
    cfg = resolve([("r", {"task": "pix2pix"})])
    p = ckpt.save_generators(tmp_path / "g.safetensors", {"G": g}, task="pix2pix", config=cfg, net_meta={"G": {"direction": "BtoA"}})
    gf = load_generators(p)
    assert gf.task == "pix2pix" and gf.default == "G" and gf.config == cfg
    assert gf.info["G"]["direction"] == "BtoA" and gf.info["G"]["input_multiple"] == 32
    x = torch.randn(2, 3, 32, 32)
    assert torch.equal(g(x), gf.nets["G"](x))
    assert not list(tmp_path.glob(".*tmp*"))  # the temporary file was renamed away


def test_fp16_file_loads_as_float32(tmp_path):
    g = _built("unet", num_downs=5, ngf=8)
    p = ckpt.save_generators(tmp_path / "g.safetensors", {"G": g}, task="pix2pix", config=None, dtype=torch.float16)
    net = load_generators(p).nets["G"]
    assert next(net.parameters()).dtype == torch.float32


@pytest.mark.parametrize("content, message", [
    (b"garbage", "not a safetensors file"),
    (None, "not a gan-translate generator file"),
])
def test_bad_generator_files(tmp_path, content, message):
    p = tmp_path / "x.safetensors"
    if content is None:
        from safetensors.torch import save_file

        save_file({"w": torch.zeros(1)}, str(p))
    else:
        p.write_bytes(content)
    with pytest.raises(CheckpointError, match=message):
        load_generators(p)


def test_reference_unet_state_dict_imports_and_predicts(tmp_path):
    """A state dict in the reference layout (our net mirrors its keys) loads strict and predicts."""
    ref = GENERATORS.build("unet_256")  # norm batch: no conv biases, BN buffers (as the reference)
    sd = {f"module.{k}": v for k, v in ref.state_dict().items()}  # saved from DataParallel
    assert "module.model.model.1.model.1.weight" in sd and sd["module.model.model.1.model.1.weight"].shape == (128, 64, 4, 4)
    path = tmp_path / "latest_net_G.pth"
    torch.save(sd, path)
    net, meta = load_reference(path, "unet_256", {})
    assert meta["options"]["norm"] == "batch"
    x = torch.randn(1, 3, 256, 256)
    assert torch.allclose(net(x), ref.eval()(x))
    Image.new("RGB", (300, 200), (20, 120, 220)).save(tmp_path / "photo.jpg")
    assert run_cli(["predict", str(path), str(tmp_path / "photo.jpg"), "--arch", "unet_256", "--out", str(tmp_path / "o")]) == 0
    assert Image.open(tmp_path / "o" / "photo.png").size == (300, 200)


def test_reference_resnet_with_stale_instance_norm_stats(tmp_path):
    ref = GENERATORS.build("resnet_9blocks")
    sd = dict(ref.state_dict())
    assert {"model.1.weight", "model.10.conv_block.1.weight", "model.10.conv_block.5.weight", "model.26.weight"} <= set(sd)
    sd["model.2.running_mean"] = torch.zeros(64)  # written by old InstanceNorm versions
    sd["model.2.running_var"] = torch.ones(64)
    sd["model.2.num_batches_tracked"] = torch.tensor(0)
    torch.save(sd, tmp_path / "latest_net_G_A.pth")
    net, meta = load_reference(tmp_path / "latest_net_G_A.pth", "resnet_9blocks", {})
    assert meta["options"]["norm"] == "instance"
    x = torch.randn(1, 3, 64, 64)
    assert torch.allclose(net(x), ref.eval()(x))


def test_reference_wrong_architecture_is_a_clear_error(tmp_path):
    torch.save(GENERATORS.build("resnet_6blocks").state_dict(), tmp_path / "g.pth")
    with pytest.raises(CheckpointError, match=r"g.pth"):
        load_reference(tmp_path / "g.pth", "resnet_9blocks", {})
    with pytest.raises(Exception, match="--arch"):
        load_reference(tmp_path / "g.pth", None, {})


def test_pickled_code_is_never_executed(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    torch.save({"x": Evil()}, tmp_path / "evil.pth")
    with pytest.raises(CheckpointError, match="not a loadable PyTorch state dict"):
        load_reference(tmp_path / "evil.pth", "unet_256", {})
