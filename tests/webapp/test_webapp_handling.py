"""Request handling without a server: upload validation, single/batch translation, sampling, outputs."""

from __future__ import annotations

import base64
import os
import time
import zipfile

import numpy as np
import pytest
from PIL import Image

from tests.webapp.helpers import FakeDomainTranslator, FakeLatentTranslator, fake_entry, save_tiny
from translate.errors import InputError
from translate.webapp.catalogue import ModelEntry
from translate.webapp.handling import (
    Limits,
    Outputs,
    clamp_work_size,
    generate,
    read_upload,
    translate_batch,
    translate_one,
    upload_path,
)


@pytest.fixture
def out(tmp_path):
    return Outputs(tmp_path / "outputs").new()


def test_read_upload_names_the_file_and_the_problem(uploads):
    limits = Limits()
    assert read_upload(uploads["photo"], limits).size == (72, 48)
    cases = {
        "text": "notes.txt: not an image file",
        "corrupt": "broken.png: truncated or corrupt image",
    }
    for key, msg in cases.items():
        with pytest.raises(InputError) as e:
            read_upload(uploads[key], limits)
        assert str(e.value).startswith(msg) and str(uploads[key].parent) not in str(e.value)
    with pytest.raises(InputError, match=r"big.png: 800x600 = 0.5 MP exceeds the 0.1 MP limit \(the server's --max-pixels\)$"):
        read_upload(uploads["big"], Limits(max_pixels=100_000))  # the server's option, not the training key data.max_pixels
    with pytest.raises(InputError, match=r"big.png: .* MB exceeds the 0.001 MB upload limit"):
        read_upload(uploads["big"], Limits(max_file_mb=0.001))
    with pytest.raises(InputError, match="no image given"):
        read_upload(None, limits)


def test_translate_one_keeps_size_and_writes_png(tiny_models, uploads, out):
    entry = ModelEntry("tiny", tiny_models["pix2pix"])
    r = translate_one(entry, uploads["photo"], {}, 64, Limits(), out)
    assert r.after.size == r.before.size == (72, 48)
    with Image.open(r.png) as im:
        assert im.format == "PNG" and im.size == (72, 48)
        assert np.array_equal(np.asarray(im.convert("RGB")), np.asarray(r.after))  # lossless
    assert r.png.name == "photo_tiny.png"


def test_colorization_models_show_their_grayscale_input(tmp_path, uploads, out):
    path = save_tiny(tmp_path / "col.safetensors", nets={"G": {"direction": "AtoB", "crop_size": 32, "derive": "colorization"}})
    r = translate_one(ModelEntry("col", path), uploads["photo"], {}, 0, Limits(), out)
    a = np.asarray(r.before)
    assert np.array_equal(a[..., 0], a[..., 1]) and np.array_equal(a[..., 1], a[..., 2])


def test_working_size(tmp_path, tiny_models):
    entry = ModelEntry("tiny", tiny_models["pix2pix"])
    limits = Limits(min_work=32, max_work=512)
    assert clamp_work_size(entry, 0, limits) == 32  # the file's crop size
    assert clamp_work_size(entry, 5000, limits) == 512 and clamp_work_size(entry, 8, limits) == 32
    with pytest.raises(InputError, match="working size"):
        clamp_work_size(entry, "big", limits)
    sized = save_tiny(tmp_path / "w.safetensors", nets={"G": {"direction": "AtoB", "crop_size": 32, "work_size": 320}})
    assert ModelEntry("w", sized).work_size() == 320


def test_cyclegan_files_translate_in_either_direction(tiny_models, uploads, out):
    entry = ModelEntry("cycle", tiny_models["cycle"])
    assert entry.directions() == ["AtoB", "BtoA"]
    a = translate_one(entry, uploads["photo"], {"direction": "AtoB"}, 0, Limits(), out)
    b = translate_one(entry, uploads["photo"], {"direction": "BtoA"}, 0, Limits(), out)
    assert entry.translator("AtoB").info.net == "G_A" and entry.translator("BtoA").info.net == "G_B"
    assert not np.array_equal(np.asarray(a.after), np.asarray(b.after))  # two different generators
    with pytest.raises(InputError, match="direction 'XtoY': cycle translates AtoB or BtoA"):
        translate_one(entry, uploads["photo"], {"direction": "XtoY"}, 0, Limits(), out)


def test_batch_returns_gallery_zip_and_skips_bad_files(tiny_models, uploads, out):
    entry = ModelEntry("tiny", tiny_models["pix2pix"])
    files = [uploads["photo"], uploads["text"], uploads["photo2"], uploads["photo"]]
    done, archive, errors = translate_batch(entry, files, {}, 0, Limits(), out)
    assert [name for _, name in done] == ["photo.png", "photo2.png", "photo.png"]
    assert [Image.open(p).size for p, _ in done] == [(72, 48), (40, 56), (72, 48)]
    assert errors == ["notes.txt: not an image file"]
    with zipfile.ZipFile(archive) as z:
        assert sorted(z.namelist()) == ["photo.png", "photo2.png", "photo_1.png"]
    with pytest.raises(InputError, match="no image could be read: notes.txt"):
        translate_batch(entry, [uploads["text"]], {}, 0, Limits(), out)
    with pytest.raises(InputError, match="at most 2"):
        translate_batch(entry, files, {}, 0, Limits(max_batch=2), out)
    with pytest.raises(InputError, match="no files"):
        translate_batch(entry, [], {}, 0, Limits(), out)


def test_domain_and_latent_kinds_through_the_same_handlers(tiny_models, uploads, out):
    dom = fake_entry("star", FakeDomainTranslator(["black", "blond"]), tiny_models["pix2pix"])
    r = translate_one(dom, uploads["photo"], {"domain": "blond"}, 0, Limits(), out)
    assert r.after.getpixel((0, 0)) == (80, 0, 0) and dom.translator().calls[-1] == {"domain": "blond"}
    with pytest.raises(InputError, match="domain 'red'"):
        translate_one(dom, uploads["photo"], {"domain": "red"}, 0, Limits(), out)

    lat = fake_entry("gan", FakeLatentTranslator(), tiny_models["pix2pix"])
    first = generate(lat, {"seed": 3, "count": 5, "psi": 0.7}, out)
    again = generate(lat, {"seed": 3, "count": 5, "psi": 0.7}, out)
    assert len(first) == 5 and all(p.suffix == ".png" for p in first)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]
    with pytest.raises(InputError, match="generates images from a seed"):
        translate_one(lat, uploads["photo"], {}, 0, Limits(), out)
    with pytest.raises(InputError, match="translates images"):
        generate(dom, {"seed": 0, "count": 1}, out)


def test_outputs_prune_expired_request_folders(tmp_path):
    outs = Outputs(tmp_path / "o", keep_s=60)
    old = outs.new()
    past = time.time() - 3600
    os.utime(old, (past, past))
    fresh = outs.new()
    assert not old.exists() and fresh.is_dir()


def test_upload_payloads(tmp_path, uploads):
    photo = uploads["photo"]
    assert upload_path({"path": str(photo), "orig_name": "photo.png"}, tmp_path) == str(photo)
    assert upload_path(str(photo), tmp_path) == str(photo)
    assert upload_path(None, tmp_path) is None and upload_path({"path": None}, tmp_path) is None
    inline = "data:image/png;base64," + base64.b64encode(photo.read_bytes()).decode()
    saved = upload_path({"path": None, "url": inline}, tmp_path)
    assert read_upload(saved, Limits()).size == (72, 48)
    with pytest.raises(InputError, match="did not arrive as a file"):
        upload_path(42, tmp_path)


def test_colorization_keeps_the_photo_luminance_unless_asked_not_to(tmp_path, uploads, out):
    path = save_tiny(tmp_path / "col.safetensors", nets={"G": {"direction": "AtoB", "crop_size": 32, "derive": "colorization"}})
    entry = ModelEntry("col", path)
    photo = np.asarray(Image.open(uploads["photo"]).convert("L"), dtype=np.int16)
    kept = translate_one(entry, uploads["photo"], {}, 0, Limits(), out).after  # default: on
    raw = translate_one(entry, uploads["photo"], {"post": False}, 0, Limits(), out).after
    luma = lambda im: np.asarray(im.convert("L"), dtype=np.int16)  # noqa: E731
    assert np.abs(luma(kept) - photo).mean() < 1.0  # YCbCr round trip (+ clipping of out-of-gamut colours)
    assert np.abs(luma(raw) - photo).mean() > 10  # an untrained net's own output differs
    direct = entry.translator().translate([Image.open(uploads["photo"]).convert("RGB")], size=32)[0]
    assert np.array_equal(np.asarray(raw), np.asarray(direct))


def test_temp_root_removed_on_sigterm_and_dead_roots_swept(tmp_path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import REPO
    from translate.webapp.handling import sweep_dead_roots

    env = {**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": str(tmp_path)}
    code = ("import time; from translate.webapp.handling import Outputs; o = Outputs(); (o.new() / 'x.png').write_bytes(b'1' * 1000)\n"
            "print(o.root, flush=True); time.sleep(60)")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    root = proc.stdout.readline().strip()
    assert root and os.path.isdir(root)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 128 + signal.SIGTERM
    assert not os.path.exists(root)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f"translate-app-{dead.pid}-abc"
    (stale / "req").mkdir(parents=True)
    live = tmp_path / f"translate-app-{os.getppid()}-abc"
    live.mkdir()
    time.sleep(0.1)
    assert sweep_dead_roots(tmp_path) == [stale] and live.is_dir()
