"""The web demo served for real on a free port: gradio_client API, concurrency, bad uploads, browser.

The app runs in this process (``prevent_thread_lock``) on tiny untrained models plus fake StarGAN-
and DCGAN-like translators, so every kind's endpoint is exercised; the browser tests drive Debian
``chromium`` through Playwright and skip with the reason when either is missing.
"""

from __future__ import annotations

import os
import shutil
import socket
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image

from tests.conftest import REPO
from tests.webapp.helpers import (
    FakeDomainTranslator,
    FakeLatentTranslator,
    fake_entry,
    make_tiny_models,
    make_uploads,
    write_photo,
)

pytest.importorskip("gradio")
gradio_client = pytest.importorskip("gradio_client")
pytestmark = [  # gradio's queue calls pandas APIs that pandas 3 deprecates
    pytest.mark.filterwarnings("ignore:.*no_silent_downcasting"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]
ARTIFACTS = Path(os.environ.get("TRANSLATE_TEST_ARTIFACTS", REPO / "test-artifacts"))
LIMITS = dict(max_pixels=500_000, max_file_mb=0.05)  # 0.5 MP and 50 KB, so the bad uploads stay tiny


def test_translate_tab_line_follows_the_model_picker(tmp_path):
    """The line under the model menu (elem_id model-summary) starts with the first model's summary and the
    menu's change handler rewrites it for the selected model (called directly, no server)."""
    from translate.webapp.app import build_app
    from translate.webapp.cards import summary_line
    from translate.webapp.catalogue import Catalogue, ModelEntry
    from translate.webapp.handling import Limits

    models = make_tiny_models(tmp_path)
    cat = Catalogue([ModelEntry("tiny", models["pix2pix"]), ModelEntry("cycle", models["cycle"]),
                     fake_entry("gan", FakeLatentTranslator(), models["pix2pix"])])
    demo = build_app(cat, examples=[], out_root=tmp_path / "out")
    line = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "model-summary")
    work = lambda name: Limits().clamp_work(cat.get(name).work_size())  # noqa: E731  (the slider's value)
    assert line.value == summary_line(cat.get("tiny"), work("tiny")) and line.value.startswith("Turns an image of domain A")
    menu = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "model")
    (change,) = [f for f in demo.fns.values() if any(t[0] is menu._id and t[1] == "change" for t in f.targets)]
    for name, start in (("cycle", "Translates between domain A and domain B"), ("gan", "Generates new images")):
        ups = change.fn(name)
        assert ups[line] == summary_line(cat.get(name), work(name)) and ups[line].startswith(start)
    slider = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "work-size")
    (moved,) = [f for f in demo.fns.values() if any(t[0] is slider._id and t[1] == "change" for t in f.targets)]
    assert moved.fn("tiny", 96) == summary_line(cat.get("tiny"), 96) and "processed at 96 px" in moved.fn("tiny", 96)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The demo on a free port: tiny pix2pix + CycleGAN files, a fake StarGAN and a fake DCGAN."""
    from translate.webapp.app import build_app, launch_app
    from translate.webapp.catalogue import Catalogue, ModelEntry
    from translate.webapp.handling import Limits

    d = tmp_path_factory.mktemp("app")
    models = make_tiny_models(d)
    up = make_uploads(d)
    cat = Catalogue([
        ModelEntry("tiny", models["pix2pix"]), ModelEntry("cycle", models["cycle"]),
        fake_entry("star", FakeDomainTranslator(["black", "blond"]), models["pix2pix"]),
        fake_entry("gan", FakeLatentTranslator(), models["pix2pix"]),
    ])
    limits = Limits(**LIMITS)
    demo = build_app(cat, limits=limits, concurrency=2, examples=[str(up["photo2"])], out_root=d / "out")
    port = free_port()
    launch_app(demo, host="127.0.0.1", port=port, limits=limits, prevent_thread_lock=True, quiet=True)
    yield SimpleNamespace(url=f"http://127.0.0.1:{port}/", up=up, dir=d)
    demo.close()


@pytest.fixture(scope="module")
def client(served):
    return gradio_client.Client(served.url, verbose=False)


def _size(path: str) -> tuple[int, int]:
    with Image.open(path) as im:
        assert im.format == "PNG"
        return im.size


def test_api_translate(client, served):
    h = gradio_client.handle_file
    result, (before, after), download = client.predict(h(str(served.up["photo"])), api_name="/translate")
    assert _size(result) == _size(after) == _size(before) == _size(download) == (72, 48)
    assert Path(download).name == "photo_tiny.png"
    _, _, png = client.predict(h(str(served.up["photo2"])), model="cycle", direction="BtoA", work=64, api_name="/translate")
    assert _size(png) == (40, 56) and Path(png).name == "photo2_cycle.png"
    assert client.predict(api_name="/models") == ["tiny", "cycle", "star", "gan"]
    card = client.predict("cycle", api_name="/model_card")
    assert "CycleGAN" in card and "Parameters" in card


def test_api_other_kinds(client, served):
    h = gradio_client.handle_file
    result, _, _ = client.predict(h(str(served.up["photo"])), model="star", domain="blond", api_name="/translate")
    with Image.open(result) as im:
        assert im.getpixel((0, 0)) == (80, 0, 0)
    samples = client.predict(model="gan", seed=5, count=3, psi=0.5, api_name="/generate")
    assert len(samples) == 3 and all(_size(s["image"]) == (16, 16) for s in samples)


def test_api_batch_gallery_and_zip(client, served):
    h = gradio_client.handle_file
    up = served.up
    gallery, archive, notes = client.predict([h(str(up["photo"])), h(str(up["text"])), h(str(up["photo2"]))], api_name="/batch")
    assert [g["caption"] for g in gallery] == ["photo.png", "photo2.png"]
    assert [_size(g["image"]) for g in gallery] == [(72, 48), (40, 56)]
    with zipfile.ZipFile(archive) as z:
        assert sorted(z.namelist()) == ["photo.png", "photo2.png"]
    assert "2 image(s) translated" in notes and "notes.txt: not an image file" in notes


def test_eight_concurrent_requests_all_succeed(client, served):
    h = gradio_client.handle_file
    sizes = [(24 + 8 * i, 40 + 4 * i) for i in range(8)]
    files = [write_photo(served.dir / f"c{i}.png", w, hh, i) for i, (w, hh) in enumerate(sizes)]
    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(client.predict, h(str(f)), model=["tiny", "cycle"][i % 2], api_name="/translate")
                   for i, f in enumerate(files)]
        results = [f.result(timeout=300) for f in futures]
    assert [_size(r[0]) for r in results] == sizes


@pytest.mark.parametrize("key, message", [
    ("text", "notes.txt: not an image file"),
    ("corrupt", "broken.png: truncated or corrupt image"),
    ("huge", "huge.png: 1200x1000 = 1.2 MP exceeds the 0.5 MP limit"),
])
def test_bad_upload_is_reported_and_the_next_request_works(client, served, key, message):
    h = gradio_client.handle_file
    with pytest.raises(gradio_client.exceptions.AppError, match=message.replace(".", r"\.")):
        client.predict(h(str(served.up[key])), api_name="/translate")
    result, _, _ = client.predict(h(str(served.up["photo"])), api_name="/translate")
    assert _size(result) == (72, 48)


def test_upload_over_the_byte_limit_is_refused(client, served):
    h = gradio_client.handle_file
    with pytest.raises(Exception, match="(?i)file size|too large|exceed"):
        client.predict(h(str(served.up["heavy"])), api_name="/translate")
    result, _, _ = client.predict(h(str(served.up["photo"])), api_name="/translate")
    assert _size(result) == (72, 48)


# ----------------------------------------------------------------------------- browser


def _browser():
    """A headless Debian chromium via Playwright, or a skip naming what is missing."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        pytest.skip("Debian chromium is not installed (apt-get install chromium; .ci/run does it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    pw = sync_api.sync_playwright().start()
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    try:
        return pw, pw.chromium.launch(executable_path=exe, args=args)
    except Exception as exc:  # noqa: BLE001
        pw.stop()
        pytest.skip(f"chromium did not start under Playwright: {str(exc).splitlines()[0]}")


@pytest.fixture(scope="module")
def browser():
    """One headless chromium for the module (Playwright's sync API allows one instance per thread)."""
    pw, b = _browser()
    yield b
    b.close()
    pw.stop()


@pytest.fixture(scope="module")
def page(served, browser):
    pg = browser.new_page(viewport={"width": 1280, "height": 1000})
    pg.set_default_timeout(120_000)
    yield pg
    pg.close()


def _upload_and_run(page, path: Path) -> None:
    page.set_input_files("#input-image input[type=file]", str(path))
    page.wait_for_selector("#input-image img")
    page.click("#run")


def _output_size(page, previous: str | None = None) -> tuple[int, int]:
    page.wait_for_function(
        "prev => { const i = document.querySelector('#output-image img');"
        " return i && i.complete && i.naturalWidth > 0 && i.src !== prev; }", arg=previous)
    return tuple(page.eval_on_selector("#output-image img", "i => [i.naturalWidth, i.naturalHeight]"))


@pytest.mark.browser
@pytest.mark.slow
def test_browser_upload_translate_and_screenshot(served, page):
    page.goto(served.url)
    page.wait_for_selector("#input-image")
    assert page.locator("#model").count() == 1 and page.locator("#examples").count() == 1
    _upload_and_run(page, served.up["photo"])
    assert _output_size(page) == (72, 48)
    src = page.get_attribute("#output-image img", "src")
    assert src.endswith(".png"), src  # lossless PNG, not gradio's default WebP
    page.wait_for_selector("#compare img")
    page.wait_for_selector("#download a")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "app_translate.png"), full_page=True)
    assert (ARTIFACTS / "app_translate.png").stat().st_size > 0


@pytest.mark.browser
@pytest.mark.slow
def test_browser_bad_upload_shows_error_then_works(served, page):
    page.goto(served.url)
    page.wait_for_selector("#input-image")
    page.set_input_files("#input-image input[type=file]", str(served.up["corrupt"]))
    page.click("#run")
    page.get_by_text("broken.png: truncated or corrupt image").first.wait_for()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "app_bad_upload.png"), full_page=True)
    page.click("#input-image button[aria-label='Clear']") if page.locator("#input-image button[aria-label='Clear']").count() else None
    _upload_and_run(page, served.up["photo2"])
    assert _output_size(page) == (40, 56)


def _pick_model(page, name: str) -> None:
    page.click("#model input")
    page.get_by_role("option", name=name, exact=True).click()


@pytest.mark.browser
@pytest.mark.slow
def test_browser_controls_follow_the_model_kind(served, page):
    page.goto(served.url)
    page.wait_for_selector("#input-image")
    assert not page.locator("#direction").is_visible() and not page.locator("#generate").is_visible()
    _pick_model(page, "cycle")
    page.wait_for_selector("#direction", state="visible")
    _pick_model(page, "star")
    page.wait_for_selector("#domain", state="visible")
    page.wait_for_selector("#direction", state="hidden")
    _pick_model(page, "gan")
    page.wait_for_selector("#generate", state="visible")
    page.wait_for_selector("#input-image", state="hidden")
    page.wait_for_selector("#seed", state="visible")
    page.click("#generate")
    page.wait_for_function("() => { const im = [...document.querySelectorAll('#samples img')];"
                           " return im.length >= 4 && im.every(i => i.complete && i.naturalWidth > 0); }")
    assert not page.locator("#examples-box").is_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "app_latent_controls.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.slow
def test_browser_default_model_on_an_example_photo(tmp_path, browser):
    """The bundled default models (what ``make demo`` serves) on a held-out example photo, in the browser."""
    from translate.webapp.app import build_app, example_images, launch_app
    from translate.webapp.catalogue import bundled_paths

    if not bundled_paths() or not example_images():
        pytest.skip("no bundled default models or example photos in models/default/")
    demo = build_app(out_root=tmp_path / "out")
    port = free_port()
    launch_app(demo, port=port, prevent_thread_lock=True, quiet=True)
    pg = browser.new_page(viewport={"width": 1280, "height": 1100})
    pg.set_default_timeout(120_000)
    try:
        pg.goto(f"http://127.0.0.1:{port}/")
        pg.wait_for_selector("#examples")
        photo = next(p for p in example_images() if "chelsea" in p)
        _upload_and_run(pg, Path(photo))
        with Image.open(photo) as im:
            assert _output_size(pg) == im.size
        pg.wait_for_selector("#compare img")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / "app_default_model.png"), full_page=True)
        first = pg.get_attribute("#output-image img", "src")
        _pick_model(pg, "colorize (bundled)")
        pg.wait_for_selector("#postprocess", state="visible")
        pg.click("#run")
        _output_size(pg, first)
        pg.screenshot(path=str(ARTIFACTS / "app_default_colorize.png"), full_page=True)
        pg.get_by_role("tab", name="Model card").click()
        pg.get_by_text("Why L1 only").first.wait_for()
        pg.screenshot(path=str(ARTIFACTS / "app_model_card.png"), full_page=True)
    finally:
        pg.close()
        demo.close()
