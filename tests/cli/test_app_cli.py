"""``translate app``: option checks in-process; the bundled default models served by a real process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
from PIL import Image

from tests.conftest import REPO, run_cli


def test_help_has_examples(capsys):
    assert run_cli(["app", "--help"]) == 0
    out = capsys.readouterr().out
    assert "translate app runs/p2p" in out and "--max-pixels" in out and "--concurrency" in out


@pytest.mark.parametrize("argv, message", [
    (["app", "does/not/exist"], "does/not/exist: no such run folder or model file"),
    (["app", "--port", "0"], "--port 0"),
    (["app", "--backend", "tensorrt"], "--backend tensorrt"),
    (["app", "--concurrency", "0"], "must be positive"),
])
def test_bad_options_exit_2(capsys, argv, message):
    assert run_cli(argv) == 2
    assert message in capsys.readouterr().err


def test_unusable_model_file_fails_at_start(tmp_path, capsys):
    bad = tmp_path / "weights.safetensors"
    bad.write_bytes(b"\x00" * 16)
    assert run_cli(["app", str(bad), "--no-bundled"]) == 2
    assert "weights.safetensors" in capsys.readouterr().err


def _wait_ready(url: str, proc: subprocess.Popen, timeout: float = 240) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise AssertionError(f"translate app exited with {proc.returncode}: {proc.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise AssertionError(f"{url} not ready after {timeout} s")


@pytest.mark.slow
def test_serves_the_bundled_default_models(tmp_path):
    """What ``make demo`` runs: ``translate app`` with no model serves models/default/ on a photo."""
    from translate.webapp.catalogue import bundled_paths

    if not bundled_paths():
        pytest.skip("no bundled default models in models/default/ (make default-model)")
    gradio_client = pytest.importorskip("gradio_client")
    from tests.webapp.test_app import free_port

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO), "GRADIO_ANALYTICS_ENABLED": "False"}
    proc = subprocess.Popen([sys.executable, "-m", "translate", "app", "--port", str(port)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_ready(url, proc)
        client = gradio_client.Client(url, verbose=False)
        names = client.predict(api_name="/models")
        assert names == [p.stem for p in bundled_paths()]
        photo = tmp_path / "photo.jpg"
        Image.new("RGB", (150, 100), (90, 140, 200)).save(photo)
        for name in names:
            result, _, png = client.predict(gradio_client.handle_file(str(photo)), model=name, api_name="/translate")
            with Image.open(png) as im:
                assert im.format == "PNG" and im.size == (150, 100)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
