"""Write the photos that ship inside PyPI wheels (no download) as the default models' training set.

Usage: ``python models/default/bundled_photos.py OUT --set natural|all [--held-out]``

Sources, all inside installed wheels (never fetched over the network):

* scikit-image ``skimage/data/``: astronaut, chelsea, coffee, rocket, motorcycle_left (everyday colour
  photos), ihc, retina, hubble_deep_field (colour, scientific) and camera, brick, grass, gravel,
  coins, moon, page, text, clock_motion (grayscale);
* scikit-learn ``sklearn/datasets/images/``: china, flower;
* matplotlib ``mpl-data/sample_data/``: grace_hopper.

Sets: ``natural`` = the everyday colour photos (colorization); ``all`` = every photo above
(photo -> sketch). ``HELD_OUT`` photos are never part of a training set: they are the unseen photos
of the model cards and the web demo's examples (``--held-out`` writes just those, longer side
384 px, as JPEG quality 90: ``models/default/examples/`` was made with
``python models/default/bundled_photos.py models/default/examples --held-out``).

Each training photo is resized to three scales (longer side 384, 320 and 256 px, the sizes the web
demo works at) and cut into overlapping 160-px tiles (stride 48), written as
``OUT/<stem>_<scale>_<row>_<col>.png``; training then takes random 128-px crops of the tiles
(``data.preprocess=crop``). Tiles rather than whole photos keep an epoch long enough that the
engine's end-of-epoch checkpoint does not dominate a CPU run.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from PIL import Image

NATURAL = {
    "skimage": ["astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg", "motorcycle_left.png"],
    "sklearn": ["china.jpg", "flower.jpg"],
    "matplotlib": ["grace_hopper.jpg"],
}
SCIENCE = {"skimage": ["ihc.png", "retina.jpg", "hubble_deep_field.jpg"]}
GRAY = {"skimage": ["camera.png", "brick.png", "grass.png", "gravel.png", "coins.png", "moon.png", "page.png",
                    "text.png", "clock_motion.png"]}
SETS = {"natural": [NATURAL], "all": [NATURAL, SCIENCE, GRAY]}
HELD_OUT = {"chelsea.png", "coffee.png"}
SCALES = (384, 320, 256)
TILE, STRIDE = 160, 48


def source_dir(package: str) -> Path:
    """The folder inside an installed package that holds its sample images."""
    if package == "skimage":
        import skimage

        return Path(os.path.dirname(skimage.__file__)) / "data"
    if package == "sklearn":
        import sklearn

        return Path(os.path.dirname(sklearn.__file__)) / "datasets" / "images"
    import matplotlib

    return Path(matplotlib.get_data_path()) / "sample_data"


def sources(name: str, held_out: bool = False) -> list[Path]:
    """Paths of the photos of set ``name`` (its training photos, or with ``held_out`` the held-out ones)."""
    out = []
    for group in SETS[name]:
        for pkg, files in group.items():
            out += [source_dir(pkg) / f for f in files if (f in HELD_OUT) == held_out]
    return out


def fit(im: Image.Image, side: int) -> Image.Image:
    """``im`` with its longer side at ``side`` px (Lanczos; never enlarged)."""
    k = side / max(im.size)
    return im.resize((round(im.width * k), round(im.height * k)), Image.LANCZOS) if k < 1 else im


def tiles(im: Image.Image) -> list[tuple[int, int, Image.Image]]:
    """Overlapping TILE x TILE tiles (row, col, tile) covering ``im``, the last ones flush with its edges."""
    def starts(n: int) -> list[int]:
        last = max(0, n - TILE)
        return sorted(set(list(range(0, last + 1, STRIDE)) + [last]))

    tw, th = min(TILE, im.width), min(TILE, im.height)  # small photos: tiles as large as they are
    return [(r, c, im.crop((x, y, x + tw, y + th))) for r, y in enumerate(starts(im.height))
            for c, x in enumerate(starts(im.width))]


def write(out: Path, name: str, held_out: bool = False) -> int:
    """Write the training tiles (or, with ``held_out``, the held-out photos as 384-px JPEGs); returns the count."""
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    for path in sources(name, held_out):
        with Image.open(path) as im:
            im = im.convert("RGB")
        if held_out:
            fit(im, SCALES[0]).save(out / f"{path.stem}.jpg", quality=90)
            n += 1
            continue
        for s in SCALES:
            for r, c, tile in tiles(fit(im, s)):
                tile.save(out / f"{path.stem}_{s}_{r}_{c}.png")
                n += 1
    return n


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--set", dest="name", choices=sorted(SETS), default="natural")
    ap.add_argument("--held-out", action="store_true", help="write only the held-out photos")
    a = ap.parse_args()
    print(f"wrote {write(a.out, a.name, a.held_out)} images to {a.out}")
