"""``translate predict`` on A|B pairs: ``--direction`` picks the source half for files that carry no direction."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image

import translate.nets  # noqa: F401  (registers the nets)
from tests.conftest import make_aligned, run_cli
from translate.registry import GENERATORS


def _reference_pth(tmp_path: Path) -> Path:
    torch.manual_seed(0)
    net = GENERATORS.build("unet", num_downs=5, ngf=4)
    path = tmp_path / "latest_net_G.pth"
    torch.save(net.state_dict(), path)
    return path


def _pixels(folder: Path) -> np.ndarray:
    return np.stack([np.asarray(Image.open(p)) for p in sorted(folder.glob("*.png"))])


def test_direction_picks_the_half_of_reference_and_exported_files(tmp_path: Path) -> None:
    pairs = make_aligned(tmp_path / "pairs", 2, 32, "val") / "val"  # B = inverted A: the halves differ
    halves = tmp_path / "b_halves"
    halves.mkdir()
    for p in sorted(pairs.glob("*.png")):
        Image.open(p).crop((32, 0, 64, 32)).save(halves / p.name)
    pth = _reference_pth(tmp_path)
    ref = ["--arch", "unet", "--arch-opt", "num_downs=5", "--arch-opt", "ngf=4"]
    assert run_cli(["predict", str(pth), str(halves), "--out", str(tmp_path / "want"), *ref]) == 0
    assert run_cli(["predict", str(pth), str(pairs), "--aligned", "--direction", "BtoA", "--out", str(tmp_path / "pth"), *ref]) == 0
    assert run_cli(["predict", str(pth), str(pairs), "--aligned", "--out", str(tmp_path / "pth_a"), *ref]) == 0
    want = _pixels(tmp_path / "want")
    assert np.array_equal(_pixels(tmp_path / "pth"), want)
    assert not np.array_equal(_pixels(tmp_path / "pth_a"), want)  # without --direction: the A half
    assert run_cli(["export", str(pth), "--out", str(tmp_path / "g.onnx"), *ref]) == 0
    onnx_out = tmp_path / "onnx"
    assert run_cli(["predict", str(tmp_path / "g.onnx"), str(pairs), "--aligned", "--direction", "BtoA", "--out", str(onnx_out),
                    "--device", "cpu"]) == 0
    assert np.abs(_pixels(onnx_out).astype(int) - want.astype(int)).max() <= 1


def _reference_and_photo(tmp_path: Path, name: str) -> tuple[Path, list[str], Path]:
    """(reference .pth, its --arch options, folder ``in/`` with one 32x32 blue image ``name``)."""
    photos = tmp_path / "in"
    photos.mkdir()
    Image.new("RGB", (32, 32), (10, 10, 200)).save(photos / name)
    return _reference_pth(tmp_path), ["--arch", "unet", "--arch-opt", "num_downs=5", "--arch-opt", "ngf=4"], photos


def test_predict_never_writes_over_its_inputs_or_earlier_outputs(tmp_path: Path, capsys) -> None:
    pth, ref, photos = _reference_and_photo(tmp_path, "cat.png")
    original = (photos / "cat.png").read_bytes()
    assert run_cli(["predict", str(pth), str(photos), "--out", str(photos), *ref]) == 2  # --out = the input folder
    err = capsys.readouterr().err
    assert "would write over the input file" in err and len(err.strip().splitlines()) == 1
    assert (photos / "cat.png").read_bytes() == original and sorted(p.name for p in photos.iterdir()) == ["cat.png"]
    Image.new("RGB", (32, 32), (200, 10, 10)).save(photos / "cat.jpg")
    out = tmp_path / "out"
    assert run_cli(["predict", str(pth), str(photos), "--out", str(out), *ref]) == 0
    assert "cat.jpg, cat.png share the output name cat.png" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["cat_jpg.png", "cat_png.png"]
    red, blue = (np.asarray(Image.open(out / n)) for n in ("cat_jpg.png", "cat_png.png"))
    assert not np.array_equal(red, blue)  # each output is its own input's translation
    first = (out / "cat_jpg.png").read_bytes()
    assert run_cli(["predict", str(pth), str(photos), "--out", str(out), *ref]) == 2  # a second run: refused
    assert "already exists" in capsys.readouterr().err
    assert run_cli(["predict", str(pth), str(photos), "--out", str(out), "--overwrite", *ref]) == 0
    assert (out / "cat_jpg.png").read_bytes() == first


def test_max_pixels_skips_large_inputs_naming_the_option(tmp_path: Path, capsys) -> None:
    """Issue 13 item 10: the pixel limit of predict is --max-pixels (was the training key data.max_pixels)."""
    pth, ref, photos = _reference_and_photo(tmp_path, "small.png")
    Image.new("RGB", (64, 48), (200, 10, 10)).save(photos / "big.png")  # 3072 px
    out = tmp_path / "out"
    assert run_cli(["predict", str(pth), str(photos), "--out", str(out), "--max-pixels", "2000", *ref]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert f"{photos / 'big.png'}: 64x48 = " in err[0] and "MP limit (raise --max-pixels)" in err[0]
    assert "data.max_pixels" not in "\n".join(err) and "1 input(s) could not be read" in err[-1]
    assert sorted(p.name for p in out.iterdir()) == ["small.png"]
    assert run_cli(["predict", str(pth), str(photos / "big.png"), "--out", str(tmp_path / "all"), "--max-pixels", "0", *ref]) == 0
    assert Image.open(tmp_path / "all" / "big.png").size == (64, 48)
    assert run_cli(["predict", str(pth), str(photos), "--out", str(tmp_path / "neg"), "--max-pixels", "-1", *ref]) == 2
    assert "--max-pixels: expected 0 (no limit)" in capsys.readouterr().err
