"""``--direction`` x ``--aligned`` over every file kind: the right half is translated, or a one-line refusal."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

import translate.nets  # noqa: F401  (registers the nets)
from tests.cli.test_info_files import _foreign_onnx
from tests.conftest import make_aligned, run_cli
from translate.registry import GENERATORS

REF = ["--arch", "unet", "--arch-opt", "num_downs=5", "--arch-opt", "ngf=4"]


def _pixels(folder: Path) -> np.ndarray:
    return np.stack([np.asarray(Image.open(p)).astype(int) for p in sorted(folder.glob("*.png"))])


@pytest.fixture
def pairs_and_halves(tmp_path: Path) -> tuple[Path, dict[str, Path]]:
    pairs = make_aligned(tmp_path / "pairs", 2, 32, "val") / "val"  # B = inverted A
    halves = {}
    for side, box in (("A", (0, 0, 32, 32)), ("B", (32, 0, 64, 32))):
        halves[side] = tmp_path / f"half_{side}"
        halves[side].mkdir()
        for p in sorted(pairs.glob("*.png")):
            Image.open(p).crop(box).save(halves[side] / p.name)
    return pairs, halves


def _model(kind: str, tmp_path: Path, p2p_run: Path, p2p_onnx: Path, cyclegan_file: Path) -> tuple[str, list[str]]:
    if kind == "run":
        return str(p2p_run), []
    if kind == "safetensors":
        return str(next(p2p_run.rglob("generator.safetensors"))), []
    if kind == "onnx":
        return str(p2p_onnx), ["--device", "cpu"]
    if kind == "foreign_onnx":
        return str(_foreign_onnx(tmp_path / "identity.onnx")), ["--device", "cpu"]
    if kind == "cyclegan":
        return str(cyclegan_file), []
    if kind == "cyclegan_onnx_backend":
        return str(cyclegan_file), ["--backend", "onnx", "--device", "cpu"]
    if kind == "reference_onnx_backend":
        model, ref = _model("reference", tmp_path, p2p_run, p2p_onnx, cyclegan_file)
        return model, [*ref, "--backend", "onnx", "--device", "cpu"]
    torch.manual_seed(0)
    pth = tmp_path / "latest_net_G.pth"
    torch.save(GENERATORS.build("unet", num_downs=5, ngf=4).state_dict(), pth)
    return str(pth), REF


# what --aligned --direction D does per kind: the half translated, or "refused" (the file records AtoB only)
MATRIX = {
    "run": {"AtoB": "A", "BtoA": "refused"}, "safetensors": {"AtoB": "A", "BtoA": "refused"},
    "onnx": {"AtoB": "A", "BtoA": "refused"}, "foreign_onnx": {"AtoB": "A", "BtoA": "B"},
    "reference": {"AtoB": "A", "BtoA": "B"}, "cyclegan": {"AtoB": "A", "BtoA": "B"},
    "reference_onnx_backend": {"AtoB": "A", "BtoA": "B"}, "cyclegan_onnx_backend": {"AtoB": "A", "BtoA": "B"},
}


@pytest.mark.parametrize("kind", list(MATRIX))
def test_direction_with_aligned_for_every_file_kind(kind: str, tmp_path: Path, pairs_and_halves, p2p_run, p2p_onnx,
                                                    cyclegan_file, capsys) -> None:
    pairs, halves = pairs_and_halves
    model, extra = _model(kind, tmp_path, p2p_run, p2p_onnx, cyclegan_file)
    for direction, want in MATRIX[kind].items():
        out = tmp_path / f"out_{direction}"
        capsys.readouterr()
        code = run_cli(["predict", model, str(pairs), "--aligned", "--direction", direction, "--out", str(out), *extra])
        if want == "refused":
            err = capsys.readouterr().err.strip()
            assert code == 2 and len(err.splitlines()) == 1 and f"--direction {direction}" in err, err
            continue
        assert code == 0
        # the same model on the wanted half alone, with the same direction (CycleGAN: the same generator)
        ref_out = tmp_path / f"ref_{direction}"
        assert run_cli(["predict", model, str(halves[want]), "--direction", direction, "--out", str(ref_out), *extra]) == 0
        assert np.abs(_pixels(out) - _pixels(ref_out)).max() == 0, (kind, direction)
        other = tmp_path / f"other_{direction}"
        assert run_cli(["predict", model, str(halves["B" if want == "A" else "A"]), "--direction", direction,
                        "--out", str(other), *extra]) == 0
        assert not np.array_equal(_pixels(out), _pixels(other))  # the halves give different outputs
