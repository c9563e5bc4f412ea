"""``translate eval paired`` for every file ``predict`` accepts: run folder, generator file, ONNX, reference .pth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

import translate.nets  # noqa: F401  (registers the nets)
from tests.conftest import make_aligned, run_cli
from translate.registry import GENERATORS


def _eval(capsys, *argv: str) -> dict:
    capsys.readouterr()
    assert run_cli(["eval", "paired", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_eval_paired_on_every_model_kind(p2p_run: Path, p2p_onnx: Path, tmp_path: Path, capsys) -> None:
    pairs = make_aligned(tmp_path / "pairs", 3, 32, "val")
    run = _eval(capsys, str(p2p_run), "--data", str(pairs))[str(p2p_run)]
    gen_file = next(p2p_run.rglob("generator.safetensors"))
    assert _eval(capsys, str(gen_file), "--data", str(pairs))[str(gen_file)] == pytest.approx(run, rel=1e-6)
    onnx_res = _eval(capsys, str(p2p_onnx), "--data", str(pairs), "--size", "32")[str(p2p_onnx)]
    assert onnx_res == pytest.approx(run, rel=1e-3, abs=1e-3)  # same net on onnxruntime, same 32 px view
    torch.manual_seed(0)
    pth = tmp_path / "latest_net_G.pth"
    torch.save(GENERATORS.build("unet", num_downs=5, ngf=4).state_dict(), pth)
    ref = _eval(capsys, str(pth), "--data", str(pairs), "--size", "32", "--arch", "unet", "--arch-opt", "num_downs=5",
                "--arch-opt", "ngf=4")
    assert ref["images"] == 3 and set(ref[str(pth)]) == {"L1", "PSNR", "SSIM"}


def test_eval_paired_on_a_file_that_is_no_model_is_one_line(tmp_path: Path, capsys) -> None:
    pairs = make_aligned(tmp_path / "pairs", 2, 32, "val")
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    capsys.readouterr()
    assert run_cli(["eval", "paired", str(notes), "--data", str(pairs)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "notes.txt: a text file, not a model" in err
