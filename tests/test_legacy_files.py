"""Run folders and generator files written before the renovation (issue 12) still resume, predict and sample.

The files in ``tests/fixtures/legacy_v0_1`` were written by the code at commit a0695d7 (see the
README there); the current code must continue the run with exactly the losses that code logged,
and give exactly its pixels.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
from PIL import Image
from safetensors.torch import load_file

from tests.conftest import make_aligned
from tests.tasks.resume import metrics
from translate.inference import open_translator
from translate.inference.predict import predict_files
from translate.tasks.launch import TrainArgs, train

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "legacy_v0_1"
EXPECTED = json.loads((FIXTURE / "expected.json").read_text())


def _data(tmp_path: Path) -> Path:
    root = make_aligned(tmp_path / "pairs", 4, 32, "train")
    return make_aligned(root, 2, 32, "val")


def test_old_pix2pix_run_resumes_with_the_old_losses(tmp_path: Path) -> None:
    run = shutil.copytree(FIXTURE / "pix2pix_run", tmp_path / "run")
    train(TrainArgs(task="pix2pix", data=str(_data(tmp_path)), steps=5), resume=str(run))
    rows = metrics(run)
    for step in ("4", "5"):
        for key, value in EXPECTED["pix2pix_continue_to_5"][step].items():
            assert rows[int(step)][key] == value, (step, key, rows[int(step)][key], value)
    weights = load_file(str(run / "checkpoints/step_00000005/generator.safetensors"))
    sums = {k: float(v.double().sum()) for k, v in weights.items()}
    assert sums == EXPECTED["pix2pix_step5_generator_sums"]


def test_old_pix2pix_run_predicts_the_old_pixels(tmp_path: Path) -> None:
    out = tmp_path / "pred"
    assert predict_files(str(FIXTURE / "pix2pix_run"), [str(_data(tmp_path) / "val")], str(out), aligned=True) == 0
    got = {p.name: hashlib.sha256(np.asarray(Image.open(p)).tobytes()).hexdigest() for p in sorted(out.glob("*.png"))}
    assert got == EXPECTED["pix2pix_predict_val_aligned_sha256"]


def test_old_stylegan_file_samples_the_old_images() -> None:
    tr = open_translator(FIXTURE / "stylegan_generator.safetensors", device="cpu")
    images = np.stack([np.asarray(im) for im in tr.sample(3, seed=5, psi=0.7)])
    assert np.array_equal(images, np.load(FIXTURE / "stylegan_samples_seed5_psi0.7.npy"))
