"""``translate info FILE`` for every file ``predict`` accepts, and one line for files that are no model."""

from __future__ import annotations

import json
from pathlib import Path

import onnx
import pytest
import torch
from onnx import TensorProto, helper
from PIL import Image

import translate.nets  # noqa: F401  (registers the nets)
from tests.conftest import run_cli
from translate.registry import GENERATORS

REF = ["--arch", "unet", "--arch-opt", "num_downs=5", "--arch-opt", "ngf=4"]


def _info(capsys, *argv: str) -> dict:
    capsys.readouterr()
    assert run_cli(["info", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _foreign_onnx(path: Path) -> Path:
    """An ONNX identity graph 'image' -> 'out' with no gan-translate metadata."""
    x = helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 3, "H", "W"])
    y = helper.make_tensor_value_info("out", TensorProto.FLOAT, ["N", 3, "H", "W"])
    graph = helper.make_graph([helper.make_node("Identity", ["image"], ["out"])], "foreign", [x], [y])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8), path)
    return path


def test_info_describes_every_model_kind(p2p_run: Path, p2p_onnx: Path, tmp_path: Path, capsys) -> None:
    run = _info(capsys, str(p2p_run))
    gen_file = next(p2p_run.rglob("generator.safetensors"))
    assert _info(capsys, str(gen_file))["generators"]["G"]["params"] == run["generators"]["G"]["params"]
    exported = _info(capsys, str(p2p_onnx))
    assert exported["task"] == "pix2pix" and exported["format"].startswith("gan-translate-onnx")
    assert exported["generators"]["G"]["input_multiple"] == run["generators"]["G"]["input_multiple"] == 32
    assert [i["name"] for i in exported["inputs"]] == ["input"]
    foreign = _info(capsys, str(_foreign_onnx(tmp_path / "foreign.onnx")))
    assert foreign["format"].startswith("onnx (not made by translate export") and foreign["inputs"][0]["name"] == "image"
    torch.manual_seed(0)
    net = GENERATORS.build("unet", num_downs=5, ngf=4)
    pth = tmp_path / "latest_net_G.pth"
    torch.save(net.state_dict(), pth)
    ref = _info(capsys, str(pth), *REF)
    assert ref["generators"]["G"]["params"] == sum(p.numel() for p in net.parameters())
    assert run_cli(["info", str(tmp_path / "foreign.onnx")]) == 0  # the human-readable printer too
    assert "graph inputs: image float32" in capsys.readouterr().out


@pytest.mark.parametrize("name,content,what", [
    ("photo.png", None, "a PNG image"), ("notes.txt", b"hello\n", "a text file"), ("cfg.yaml", b"a: 1\n", "a text file (YAML)"),
    ("empty.safetensors", b"", "an empty file"), ("fake.onnx", b"not protobuf", None), ("text.pth", b"plain text", "a text file"),
])
def test_info_on_a_file_that_is_no_model_is_one_line(tmp_path: Path, capsys, name: str, content: bytes | None, what: str | None) -> None:
    path = tmp_path / name
    if content is None:
        Image.new("RGB", (8, 8)).save(path)
    else:
        path.write_bytes(content)
    capsys.readouterr()
    assert run_cli(["info", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and name in err and "Traceback" not in err and "header too large" not in err
    if what:
        assert f"{what}, not a model" in err


def test_info_on_a_reference_file_without_arch_names_the_fix(tmp_path: Path, capsys) -> None:
    pth = tmp_path / "latest_net_G.pth"
    torch.save(GENERATORS.build("unet", num_downs=5, ngf=4).state_dict(), pth)
    capsys.readouterr()
    assert run_cli(["info", str(pth)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--arch" in err
