"""translate.data.download against a local HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import hashlib
import io
import os
import socket
import tarfile
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from translate.data.download import CYCLEGAN, PIX2PIX, RECIPES, DownloadError, download


class _Server:
    """Serves ``files`` (name -> bytes); honours Range unless ``ranges`` is False; logs requests."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.ranges = True
        self.log: list[tuple[str, str | None]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                name = self.path.lstrip("/")
                rng = self.headers.get("Range")
                outer.log.append((name, rng))
                data = outer.files.get(name)
                if data is None:
                    self.send_error(404, "Not Found")
                    return
                start = 0
                if rng and outer.ranges:
                    start = int(rng.split("=")[1].split("-")[0])
                    if start >= len(data):
                        self.send_error(416, "Range Not Satisfiable")
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(data) - start))
                self.end_headers()
                self.wfile.write(data[start:])

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{name}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = _Server()
    yield s
    s.close()


def _tar_gz(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_tar_gz_download_and_extract(server, tmp_path):
    data = _tar_gz({"facades/train/1.jpg": b"one", "facades/val/2.jpg": b"two"})
    server.files["facades.tar.gz"] = data
    out = download("facades", tmp_path, url=server.url("facades.tar.gz"), sha256=_sha(data), progress=False)
    assert out == tmp_path / "facades"
    assert (out / "train" / "1.jpg").read_bytes() == b"one" and (out / "val" / "2.jpg").read_bytes() == b"two"
    assert not list((tmp_path / ".downloads").iterdir())  # archive removed, no .part left
    n = len(server.log)
    assert download("facades", tmp_path, url=server.url("facades.tar.gz"), progress=False) == out
    assert len(server.log) == n  # already there: no request


def test_zip_without_top_folder(server, tmp_path):
    data = _zip({"trainA/a.png": b"a", "trainB/b.png": b"b"})
    server.files["x.zip"] = data
    out = download("mine", tmp_path, url=server.url("x.zip"), progress=False)
    assert (out / "trainA" / "a.png").read_bytes() == b"a"


def test_checksum_mismatch(server, tmp_path):
    server.files["h.zip"] = _zip({"h/trainA/a.png": b"a"})
    with pytest.raises(DownloadError, match=r"h\.zip: checksum mismatch \(expected sha256 0+, got [0-9a-f]{64}\)"):
        download("h", tmp_path, url=server.url("h.zip"), sha256="0" * 64, progress=False)
    assert not (tmp_path / "h").exists()
    assert not list((tmp_path / ".downloads").iterdir())  # the bad file was removed
    out = download("h", tmp_path, url=server.url("h.zip"), sha256="0" * 64, verify=False, progress=False)
    assert (out / "trainA" / "a.png").exists()


@pytest.mark.parametrize(
    "kind, name",
    [("tar", "../evil.txt"), ("tar", "/tmp/evil-abs.txt"), ("zip", "../evil.txt"), ("zip", "a/../../evil.txt")],
)
def test_path_traversal_rejected(server, tmp_path, kind, name):
    data = _tar_gz({name: b"x"}) if kind == "tar" else _zip({name: b"x"})
    server.files["bad"] = data
    root = tmp_path / "root"
    with pytest.raises(DownloadError, match="unsafe path .* refusing to extract"):
        download("bad", root, url=server.url("bad"), progress=False)
    assert not (tmp_path / "evil.txt").exists() and not (root / "bad").exists()
    assert not [p for p in root.iterdir() if p.name.startswith(".bad")]  # temp folder cleaned


def test_tar_links_rejected(server, tmp_path):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        link = tarfile.TarInfo("d/link")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tf.addfile(link)
    server.files["l.tar.gz"] = buf.getvalue()
    with pytest.raises(DownloadError, match="link or special file"):
        download("l", tmp_path, url=server.url("l.tar.gz"), progress=False)


def test_resume_with_range(server, tmp_path):
    data = _tar_gz({f"r/train/{i}.jpg": os.urandom(5000) for i in range(20)})
    server.files["r.tar.gz"] = data
    part = tmp_path / ".downloads" / "r.tar.gz.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(data[:1000])
    out = download("r", tmp_path, url=server.url("r.tar.gz"), sha256=_sha(data), progress=False)
    assert server.log == [("r.tar.gz", "bytes=1000-")]
    assert len((out / "train" / "3.jpg").read_bytes()) == 5000


def test_restart_when_server_ignores_range(server, tmp_path):
    data = _zip({"s/a.txt": b"hello"})
    server.files["s.zip"] = data
    server.ranges = False
    part = tmp_path / ".downloads" / "s.zip.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(b"stale bytes from another file")
    out = download("s", tmp_path, url=server.url("s.zip"), sha256=_sha(data), progress=False)
    assert (out / "a.txt").read_bytes() == b"hello"


def test_network_errors_are_one_line(server, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    url = f"http://127.0.0.1:{port}/facades.tar.gz"
    with pytest.raises(DownloadError) as e:
        download("facades", tmp_path, url=url, progress=False, timeout=5)
    msg = str(e.value)
    assert msg.startswith(url + ": cannot download (") and "\n" not in msg
    with pytest.raises(DownloadError, match=r"missing\.zip: HTTP 404"):
        download("m", tmp_path, url=server.url("missing.zip"), progress=False)
    server.files["junk.zip"] = b"this is not an archive"
    with pytest.raises(DownloadError, match="not a zip or tar archive"):
        download("j", tmp_path, url=server.url("junk.zip"), progress=False)


def test_recipes():
    assert {"facades", "maps", "edges2shoes", "edges2handbags", "night2day", "cityscapes"} <= set(RECIPES)
    assert {"horse2zebra", "apple2orange", "summer2winter_yosemite", "monet2photo"} <= set(RECIPES)
    assert RECIPES.get("facades").url == PIX2PIX.format("facades") == \
        "http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/facades.tar.gz"
    h2z = RECIPES.get("horse2zebra")
    assert h2z.url == CYCLEGAN.format("horse2zebra") and len(h2z.sha256) == 64 and h2z.layout == "unpaired"
    for name in RECIPES:
        r = RECIPES.get(name)
        assert r.origin and (r.manual or r.url.startswith("http://efrosgans.eecs.berkeley.edu/"))


def test_manual_recipe(tmp_path: Path):
    with pytest.raises(DownloadError, match="cityscapes: not redistributed .*cityscapes-dataset.com"):
        download("cityscapes", tmp_path)
