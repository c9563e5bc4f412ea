"""Run folders and generator files written before the renovation (issue 12) still resume, predict and sample.

The files in ``tests/fixtures/legacy_v0_1`` were written by the code at commit a0695d7 (see the
README there); the current code must continue the run with the losses that code logged and give
exactly its pixels. Losses and weight sums are compared to float32 rounding (relative 1e-5): MKL and
oneDNN pick different kernels on different CPUs (the fixture's Intel machine vs an AMD EPYC with
AVX-512 differ by ~1e-7 relative at step 5; the old code itself, run on the AMD machine, logs
the new code's values there, not the fixture's); a changed loss, data
order or optimiser step moves them by orders of magnitude more.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from safetensors.torch import load_file

from tests.conftest import make_aligned
from tests.tasks.resume import metrics
from translate.inference import open_translator
from translate.inference.predict import predict_files
from translate.tasks.launch import TrainArgs, train

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "legacy_v0_1"
EXPECTED = json.loads((FIXTURE / "expected.json").read_text())
FLOAT32 = 1e-5  # relative: float32 rounding across CPUs (see the module docstring)


def _data(tmp_path: Path) -> Path:
    root = make_aligned(tmp_path / "pairs", 4, 32, "train")
    return make_aligned(root, 2, 32, "val")


def test_old_pix2pix_run_resumes_with_the_old_losses(tmp_path: Path) -> None:
    run = shutil.copytree(FIXTURE / "pix2pix_run", tmp_path / "run")
    train(TrainArgs(task="pix2pix", data=str(_data(tmp_path)), steps=5), resume=str(run))
    rows = metrics(run)
    for step in ("4", "5"):
        for key, value in EXPECTED["pix2pix_continue_to_5"][step].items():
            assert rows[int(step)][key] == pytest.approx(value, rel=FLOAT32), (step, key, rows[int(step)][key], value)
    weights = load_file(str(run / "checkpoints/step_00000005/generator.safetensors"))
    sums = {k: float(v.double().sum()) for k, v in weights.items()}
    expected = EXPECTED["pix2pix_step5_generator_sums"]
    assert sums.keys() == expected.keys()
    for key, value in expected.items():
        assert sums[key] == pytest.approx(value, rel=FLOAT32, abs=1e-6), (key, sums[key], value)


def test_old_pix2pix_run_predicts_the_old_pixels(tmp_path: Path) -> None:
    out = tmp_path / "pred"
    assert predict_files(str(FIXTURE / "pix2pix_run"), [str(_data(tmp_path) / "val")], str(out), aligned=True) == 0
    got = {p.name: hashlib.sha256(np.asarray(Image.open(p)).tobytes()).hexdigest() for p in sorted(out.glob("*.png"))}
    assert got == EXPECTED["pix2pix_predict_val_aligned_sha256"]


def test_old_stylegan_file_samples_the_old_images() -> None:
    tr = open_translator(FIXTURE / "stylegan_generator.safetensors", device="cpu")
    images = np.stack([np.asarray(im) for im in tr.sample(3, seed=5, psi=0.7)])
    assert np.array_equal(images, np.load(FIXTURE / "stylegan_samples_seed5_psi0.7.npy"))
