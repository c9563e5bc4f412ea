"""The web app's request handling with really trained StarGAN (multi-label) and DCGAN runs.

The other webapp tests use hand-made tiny files; these train a few steps with the real tasks, so
the metadata the app reads (label mode, domains, z_dim) is what training writes, through torch and
through an ONNX export.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import make_folder
from tests.tasks.test_dcgan import _train as train_dcgan
from tests.tasks.test_stargan import ATTRS, make_attributes
from tests.tasks.test_stargan import _train as train_stargan
from translate.export.exporter import ExportOptions, export_model
from translate.webapp.catalogue import ModelEntry
from translate.webapp.controls import control_states
from translate.webapp.handling import Limits, generate, translate_one


def _visible(states) -> list[str]:
    return sorted(k for k, s in states.items() if s.visible)


@pytest.fixture(scope="module")
def stargan_run(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sg")
    return train_stargan(make_attributes(root / "celeb"), root / "run", 2, [f"data.domains={','.join(ATTRS)}"], recipe="default")


def _photo(tmp_path: Path) -> Path:
    p = tmp_path / "face.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (30, 20, 3), dtype=np.uint8)).save(p)
    return p


@pytest.mark.parametrize("backend", ["torch", "onnx"])
def test_stargan_attributes_through_the_app(stargan_run, tmp_path, backend):
    model = stargan_run
    if backend == "onnx":
        model = tmp_path / "sg.onnx"
        export_model(str(stargan_run), model, options=ExportOptions(), log=lambda _: None)
    entry = ModelEntry("sg", Path(model), prefer_onnx=False)
    assert entry.translator().__class__.__name__ == ("OnnxTranslator" if backend == "onnx" else "Translator")
    states = control_states(entry.info, entry.directions())
    assert _visible(states) == ["attributes"] and states["attributes"].choices == ATTRS
    photo = _photo(tmp_path)
    blond = translate_one(entry, photo, {"attributes": ["Blond_Hair"]}, 0, Limits(), tmp_path)
    male = translate_one(entry, photo, {"attributes": ["Male"]}, 0, Limits(), tmp_path)
    assert blond.after.size == male.after.size == (20, 30)
    assert not np.array_equal(np.asarray(blond.after), np.asarray(male.after))  # the target labels reach the net


def test_dcgan_generates_through_the_app(tmp_path):
    run = train_dcgan(make_folder(tmp_path / "imgs", 6, size=32), tmp_path / "run", 2)
    entry = ModelEntry("dc", run)
    assert _visible(control_states(entry.info, entry.directions())) == ["count", "psi", "seed"]
    a = generate(entry, {"seed": 3, "count": 2, "psi": 1.0}, tmp_path)
    (tmp_path / "again").mkdir()
    b = generate(entry, {"seed": 3, "count": 2, "psi": 1.0}, tmp_path / "again")
    assert len(a) == 2 and all(p.suffix == ".png" for p in a)
    assert all(np.array_equal(np.asarray(Image.open(x)), np.asarray(Image.open(y))) for x, y in zip(a, b))  # seeded
