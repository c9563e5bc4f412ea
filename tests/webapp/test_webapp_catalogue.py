"""The model catalogue, the ONNX-or-torch backend choice and model cards."""

from __future__ import annotations

import sys
import types
from types import SimpleNamespace

import pytest

from tests.webapp.helpers import FakeDomainTranslator, FakeLatentTranslator, fake_entry, info, save_tiny
from translate.errors import CheckpointError, ConfigError, InputError
from translate.webapp import backend, catalogue
from translate.webapp.cards import model_card, objective, summary_line, what_it_does
from translate.webapp.catalogue import Catalogue, ModelEntry
from translate.webapp.handling import Limits


def test_names_labels_and_order(tmp_path, tiny_models, monkeypatch):
    run = tmp_path / "my-run"
    save_tiny(run / "checkpoints" / "step_00000010" / "generator.safetensors")
    (run / "checkpoints" / "step_00000010" / "state.pt").write_bytes(b"")  # a complete checkpoint has both files
    (run / "checkpoints" / "LATEST").write_text("step_00000010")
    zoo = tmp_path / "zoo"
    save_tiny(zoo / "default" / "b.safetensors")
    save_tiny(zoo / "default" / "a.safetensors")
    save_tiny(zoo / "default" / "c.safetensors")
    (zoo / "default" / "a.md").write_text("# a\nA card.\n")
    (zoo / "default" / "menu.yaml").write_text("order: [c]\n")
    monkeypatch.setattr("translate.zoo.models_dir", lambda: zoo)
    cat = Catalogue.build([str(run), str(run / "checkpoints/step_00000010/generator.safetensors"), str(tiny_models["pix2pix"])])
    assert cat.names() == ["my-run", "my-run-2", "tiny", "c", "a", "b"]
    assert cat.choices()[4] == ("a (bundled)", "a") and cat.get("a").card.startswith("# a")
    assert cat.get(None).name == "my-run" and cat.get("my-run").info.net == "G"
    with pytest.raises(ConfigError, match="unknown model 'zzz'; available: my-run"):
        cat.get("zzz")
    with pytest.raises(ConfigError, match="nope: no such run folder or model file"):
        Catalogue.build([str(tmp_path / "nope")])
    monkeypatch.setattr("translate.zoo.models_dir", lambda: tmp_path / "empty")
    with pytest.raises(ConfigError, match="no models to serve"):
        Catalogue.build([])


def test_preload_rejects_bad_model_files(tmp_path):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"not safetensors at all")
    cat = Catalogue.build([str(bad)], bundled=False)
    with pytest.raises((CheckpointError, InputError), match="bad.safetensors"):  # the one model-file check says what it is
        cat.preload()


def test_onnx_export_beside_the_model(tmp_path, tiny_models):
    gen = save_tiny(tmp_path / "run" / "generator.safetensors")
    assert backend.onnx_export(gen) is None
    (tmp_path / "run" / "model.onnx").write_bytes(b"x")
    assert backend.onnx_export(tmp_path / "run") == tmp_path / "run" / "model.onnx"
    (tmp_path / "run" / "generator.BtoA.onnx").write_bytes(b"x")
    assert backend.onnx_export(gen, "BtoA").name == "generator.BtoA.onnx"
    assert backend.onnx_export(gen, "AtoB").name == "model.onnx"


def _fake_runtime(monkeypatch, fail: Exception | None = None):
    mod = types.ModuleType("translate.runtime")

    class OnnxTranslator:
        def __init__(self, path, **kw):
            if fail:
                raise fail
            self.path, self.kw, self.info = path, kw, info("image")
            self.backend = types.SimpleNamespace(name="onnxruntime")

    mod.OnnxTranslator = OnnxTranslator
    monkeypatch.setitem(sys.modules, "translate.runtime", mod)


def test_backend_prefers_onnx_and_falls_back_to_torch(tmp_path, monkeypatch):
    gen = save_tiny(tmp_path / "generator.safetensors")
    (tmp_path / "model.onnx").write_bytes(b"x")
    monkeypatch.setitem(sys.modules, "translate.runtime", None)  # runtime not available: import fails
    tr = backend.open_model(gen)
    assert tr.backend.name == "torch" and tr.info.net == "G"
    with pytest.raises(ConfigError, match="needs translate.runtime"):
        backend.open_model(tmp_path / "model.onnx")

    _fake_runtime(monkeypatch)
    tr = backend.open_model(gen, direction="AtoB")
    assert tr.backend.name == "onnxruntime" and tr.path.endswith("model.onnx") and tr.kw == {"direction": "AtoB"}
    assert backend.open_model(gen, prefer_onnx=False).backend.name == "torch"

    _fake_runtime(monkeypatch, ConfigError("model.onnx: direction BtoA not in this export"))
    assert backend.open_model(gen, direction="AtoB").backend.name == "torch"
    with pytest.raises(ConfigError, match="not in this export"):
        backend.open_model(tmp_path / "model.onnx")


def test_model_card_facts(tmp_path, tiny_models):
    entry = ModelEntry("tiny", tiny_models["pix2pix"], card="## How it was trained\nwith care")
    md = model_card(entry, Limits(max_pixels=2_000_000, max_file_mb=5))
    assert md.startswith("## How it was trained\nwith care") and "### From the model file (tiny)" in md
    assert "| Parameters | 261,715 |" in md
    assert "longer side at 32 px (padded to a multiple of 32)" in md and "up to 5 MB and 2 megapixels" in md
    assert model_card(ModelEntry("tiny", tiny_models["pix2pix"]), Limits()).startswith("### tiny\n")
    assert what_it_does(info("image", derive="sketch", direction="BtoA")) == "photo -> pencil sketch"
    assert what_it_does(info("image", derive="colorization", direction="AtoB")) == "grayscale photo -> colour photo"
    assert what_it_does(info("image", direction="BtoA")) == "domain B -> domain A"
    assert what_it_does(info("latent")) == "random seed -> image"


def test_objective_in_words():
    assert objective({"task": "pix2pix", "gan": {"loss": "vanilla"}, "options": {"lambda_l1": 100.0, "lambda_gan": 1.0}}) \
        == "vanilla GAN + 100 x L1"
    assert objective({"task": "pix2pix", "gan": {"loss": "vanilla"}, "options": {"lambda_gan": 0}}).startswith("L1 only")
    assert objective({"task": "cyclegan", "gan": {"loss": "lsgan"}}) == "lsgan GAN"


def test_bundled_default_models_have_cards():
    """Every bundled model ships with its card (task, command, data, budget, unseen-photo behaviour)."""
    paths = catalogue.bundled_paths()
    if not paths:
        pytest.skip("no bundled default models (make default-model)")
    for p in paths:
        card = p.with_suffix(".md").read_text()
        for heading in ("## Command", "## Data", "## On photos it never saw", "## Limitations"):
            assert heading in card, (p.name, heading)
        assert "translate train pix2pix" in card and "Parameters" in card
    total = sum(p.stat().st_size for p in paths)
    assert total < 20e6, f"bundled weights are {total / 1e6:.1f} MB (keep them under 20 MB)"


def test_card_names_the_stylegan_style():
    from translate.runtime.modelinfo import ModelInfo
    from translate.webapp.cards import style_note

    def card_info(extra):
        return ModelInfo("m.safetensors", "stylegan", "G", "stylegan", "latent", 1, extra=extra)

    assert style_note(card_info({"options": {"style": "adain", "resolution": 32}})) == ", style adain"
    assert style_note(card_info({"net_meta": {"options": {"style": "modulated"}}})) == ", style modulated"  # ONNX files nest it
    assert style_note(card_info({"options": {"resolution": 32}})) == ""


def test_summary_line_says_what_the_model_does_and_what_to_upload(tiny_models):
    """The Translate tab's one line, from the file's metadata (task, derived kind, direction, working size)."""
    colorize = fake_entry("c", SimpleNamespace(info=info("image", derive="colorization", direction="AtoB", extra={"work_size": 320})),
                          tiny_models["pix2pix"])
    assert summary_line(colorize) == ("Turns a grayscale photo into a colour photo. Input: a photo in colour or grayscale, "
                                      "which is made grayscale first (any size; processed at 320 px on the longer side).")
    sketch = fake_entry("s", SimpleNamespace(info=info("image", derive="sketch", direction="BtoA")), tiny_models["pix2pix"])
    assert summary_line(sketch, work=256) == ("Turns a photo into a pencil sketch. Input: a photo "
                                              "(any size; processed at 256 px on the longer side).")
    assert summary_line(ModelEntry("tiny", tiny_models["pix2pix"])) == (
        "Turns an image of domain A into an image of domain B. Input: an image of domain A (any size; processed at 32 px on "
        "the longer side).")
    assert summary_line(ModelEntry("cycle", tiny_models["cycle"])).startswith(
        "Translates between domain A and domain B, in the direction you pick. Input: an image of domain A or domain B (")
    star = fake_entry("star", FakeDomainTranslator(["black", "blond"]), tiny_models["pix2pix"])
    assert summary_line(star).startswith("Turns an image into an image in a chosen domain (black, blond). Input: an image (")
    assert summary_line(fake_entry("gan", FakeLatentTranslator(), tiny_models["pix2pix"])).startswith("Generates new images")


def test_bundled_models_summary_lines():
    entries = Catalogue.build([]).entries if catalogue.bundled_paths() else {}
    if not entries:
        pytest.skip("no bundled default models (make default-model)")
    lines = {name: summary_line(e) for name, e in entries.items()}
    assert lines["colorize"].startswith("Turns a grayscale photo into a colour photo. Input: a photo in colour or grayscale")
    assert lines["sketch"].startswith("Turns a photo into a pencil sketch. Input: a photo (any size; processed at")
