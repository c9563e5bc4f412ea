"""Dataset recipes (official URLs + checksums) and a careful downloader.

``download(name, root)`` streams the archive with a progress bar into ``ROOT/.downloads/*.part``,
resumes a partial file when the server honours HTTP Range, verifies SHA-256 (or the size, or
prints the SHA-256 when neither is published), extracts into a temporary folder while rejecting
absolute paths, ``..`` members, links and devices, and only then moves the result to
``ROOT/<name>``. Failures raise ``DownloadError`` (an ``InputError``: exit code 2, one line
naming the URL or file).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tarfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tqdm import tqdm

from ..errors import InputError
from ..registry import Registry

log = logging.getLogger("translate.data")
DEFAULT_ROOT = "datasets/data"
PIX2PIX = "http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/{}.tar.gz"
CYCLEGAN = "http://efrosgans.eecs.berkeley.edu/cyclegan/datasets/{}.zip"


class DownloadError(InputError):
    """A download or extraction that failed; the message names the URL or file."""


@dataclass(frozen=True)
class Recipe:
    """Where a dataset comes from and how to check it (sha256/size None = not published)."""
    name: str
    url: str
    layout: str
    origin: str
    sha256: str | None = None
    size: int | None = None
    manual: str = ""  # non-empty: cannot be downloaded automatically; says how to get it


RECIPES: Registry[Recipe] = Registry("dataset recipe")


def add_recipe(recipe: Recipe) -> None:
    """Register a recipe under its name."""
    RECIPES.add(recipe.name, recipe)


_PIX2PIX = {
    "facades": "CMP Facade Database (Tylecek & Sara 2013); 400 training pairs",
    "maps": "Google Maps map/aerial tiles around New York City, scraped by the pix2pix authors; 1,096 training pairs",
    "edges2shoes": "UT Zappos50K shoes (Yu & Grauman 2014) with HED edges; about 50k training pairs",
    "edges2handbags": "Amazon handbags from iGAN (Zhu et al. 2016) with HED edges; about 137k training pairs",
    "night2day": "Transient Attributes webcam dataset (Laffont et al. 2014)",
}
for _n, _o in _PIX2PIX.items():
    add_recipe(Recipe(_n, PIX2PIX.format(_n), "aligned", _o))
add_recipe(Recipe(
    "cityscapes", PIX2PIX.format("cityscapes"), "aligned", "Cityscapes (Cordts et al. 2016)",
    manual="not redistributed by the pix2pix authors (Cityscapes licence): register at "
    "https://www.cityscapes-dataset.com, download gtFine_trainvaltest.zip and leftImg8bit_trainvaltest.zip "
    "and combine them with the reference repo's datasets/prepare_cityscapes_dataset.py",
))

# size and SHA-256 as recorded by TensorFlow Datasets (url_checksums/cycle_gan.txt) for the same
# archives at their former address people.eecs.berkeley.edu/~taesung_park/CycleGAN/datasets/
_CYCLEGAN = {
    "apple2orange": (78456409, "845a191e9af8926408ea597001cd03a452e3300a1f44a79fe329b3d59f6e3eb8", "ImageNet photos"),
    "horse2zebra": (116867962, "a74d9d392eecca9966b51287a76ca126af473d9de4f3e8fc0e9cda08fa1730a1", "ImageNet photos"),
    "summer2winter_yosemite": (132640856, "167fe1726807a9d22bd106b4a6c0bd7953b688af924ac1bf967439c4961e49f9",
                               "Flickr photos of Yosemite"),
    "monet2photo": (305231073, "88f91b00fc228f97c9411fbf1880ec1d119c98f1722e4cfcfaa2fb35fac05b04",
                    "Wikiart paintings + Flickr photos"),
    "cezanne2photo": (279885071, "3a6c10ca21f9485862f1cbd707744b9dc258954a04631271d23a3605eeb63cff",
                      "Wikiart paintings + Flickr photos"),
    "ukiyoe2photo": (292946532, "02a2a2fb5ecf425ca1bf86aca7304377da64a2a1d3b86df54eb65e4068bf3b08",
                     "Wikiart prints + Flickr photos"),
    "vangogh2photo": (306590349, "362c3473e70be0944bda08d49d660eafdc2854df55d697835b8186d1d79caaff",
                      "Wikiart paintings + Flickr photos"),
    "iphone2dslr_flower": (339964458, "8fcb5e374d631b107e1d961b8c4cd0a186aa2a4ff3e279923f4c426128de7113",
                           "Flickr flower photos (iPhone vs DSLR)"),
    "maps_cyclegan": (1476754427, "639534f69dbf9f36bef8d6292a7698006361221f83f0285d7c9ca78afe6e8a9e",
                      "maps as unpaired folders"),
    "facades_cyclegan": (35135868, "9a31ebf3a31b9b5cd195dd5bf62e9308e00cb94604d1019e3889ac84248695c0",
                         "CMP facades as unpaired folders"),
}
for _n, (_size, _sha, _o) in _CYCLEGAN.items():
    _file = _n.removesuffix("_cyclegan")
    add_recipe(Recipe(_n, CYCLEGAN.format(_file), "unpaired", _o, sha256=_sha, size=_size))
add_recipe(Recipe(
    "celeba", "https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html", "attributes",
    "CelebA (Liu et al. 2015), MMLAB CUHK; non-commercial research use only",
    manual="download img_align_celeba.zip and list_attr_celeba.txt from the CelebA page "
    "(https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html) into ROOT/celeba/",
))


# ----------------------------------------------------------------------------- transfer


def _fetch(url: str, part: Path, progress: bool, timeout: float) -> None:
    """Download ``url`` into ``part``, resuming from its current size when the server allows."""
    have = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": "gan-translate"} | ({"Range": f"bytes={have}-"} if have else {})
    try:
        resp = urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # range not satisfiable: the part file is already complete
            return
        raise DownloadError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(f"{url}: cannot download ({reason}); check the network, or fetch the file "
                            f"by hand and pass url=file:///path") from None
    with resp:
        resumed = have > 0 and getattr(resp, "status", 200) == 206
        have = have if resumed else 0
        length = resp.headers.get("Content-Length")
        total = have + int(length) if length and length.isdigit() else None
        try:
            with open(part, "ab" if resumed else "wb") as f, tqdm(
                total=total, initial=have, unit="B", unit_scale=True, desc=Path(url).name,
                disable=not progress, leave=False,
            ) as bar:
                while chunk := resp.read(1 << 20):
                    f.write(chunk)
                    bar.update(len(chunk))
        except OSError as exc:
            raise DownloadError(f"{url}: download interrupted ({exc}); run again to resume") from None


def sha256sum(path: Path) -> str:
    """Hex SHA-256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _verify(path: Path, url: str, sha256: str | None, size: int | None) -> None:
    actual_size = path.stat().st_size
    if size is not None and actual_size != size:
        path.unlink()
        raise DownloadError(f"{url}: size mismatch (expected {size} bytes, got {actual_size}); the file was "
                            "removed, run again or pass verify=False / --no-verify")
    digest = sha256sum(path)
    if sha256 and digest != sha256.lower():
        path.unlink()
        raise DownloadError(f"{url}: checksum mismatch (expected sha256 {sha256}, got {digest}); the file "
                            "was removed, run again or pass verify=False / --no-verify")
    if not sha256:
        log.info("%s: no published checksum; sha256 of the download is %s", url, digest)


# ----------------------------------------------------------------------------- extraction


def _check_member(archive: Path, name: str) -> None:
    p = PurePosixPath(name.replace("\\", "/"))
    if p.is_absolute() or ".." in p.parts or (p.parts and ":" in p.parts[0]):
        raise DownloadError(f"{archive}: unsafe path {name!r} in the archive; refusing to extract")


def _extract_tar(archive: Path, dest: Path) -> None:
    with tarfile.open(archive) as tf:
        members = tf.getmembers()
        for m in members:
            _check_member(archive, m.name)
            if not (m.isfile() or m.isdir()):
                raise DownloadError(f"{archive}: link or special file {m.name!r} in the archive; refusing to extract")
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # Python >= 3.11.4
        tf.extractall(dest, members=members, **safe)


def _extract_zip(archive: Path, dest: Path) -> None:
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            _check_member(archive, info.filename)
        zf.extractall(dest)


def extract(archive: Path, dest: Path) -> Path:
    """Safely unpack a zip/tar archive to ``dest`` (a single top folder becomes ``dest``)."""
    if zipfile.is_zipfile(archive):
        unpack = _extract_zip
    elif tarfile.is_tarfile(archive):
        unpack = _extract_tar
    else:
        raise DownloadError(f"{archive}: not a zip or tar archive")
    tmp = dest.parent / f".{dest.name}.extracting-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        try:
            unpack(archive, tmp)
        except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as exc:
            raise DownloadError(f"{archive}: cannot extract ({exc})") from None
        entries = [p for p in tmp.iterdir() if p.name not in ("__MACOSX",)]
        src = entries[0] if len(entries) == 1 and entries[0].is_dir() else tmp
        os.replace(src, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


# ----------------------------------------------------------------------------- entry point


def download(
    name: str,
    root: str | Path = DEFAULT_ROOT,
    url: str | None = None,
    sha256: str | None = None,
    verify: bool = True,
    force: bool = False,
    keep_archive: bool = False,
    progress: bool = True,
    timeout: float = 30.0,
) -> Path:
    """Download and unpack dataset ``name`` into ``root/name``; returns that folder."""
    recipe = RECIPES.get(name) if name in RECIPES or url is None else None
    if recipe is not None and recipe.manual and url is None:
        raise DownloadError(f"{name}: {recipe.manual}")
    url = url or recipe.url  # type: ignore[union-attr]
    if recipe is not None and url != recipe.url and sha256 is None:
        recipe = None  # another file: the recipe's checksum does not apply
    want_sha = sha256 if sha256 is not None else (recipe.sha256 if recipe else None)
    want_size = recipe.size if recipe else None
    root = Path(root)
    dest = root / name
    if dest.exists() and any(dest.iterdir()) and not force:
        log.info("%s: already present, not downloading (force=True to replace)", dest)
        return dest
    cache = root / ".downloads"
    cache.mkdir(parents=True, exist_ok=True)
    archive = cache / Path(url.split("?")[0]).name
    part = archive.with_name(archive.name + ".part")
    if not archive.exists():
        _fetch(url, part, progress, timeout)
        if verify:
            _verify(part, url, want_sha, want_size)
        os.replace(part, archive)  # complete and verified: publish atomically
    if force and dest.exists():
        shutil.rmtree(dest)
    extract(archive, dest)
    if not keep_archive:
        archive.unlink()
    return dest
