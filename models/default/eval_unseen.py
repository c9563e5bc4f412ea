"""Score the default models on photos they never saw: ``python models/default/eval_unseen.py MODEL... --photos DIR``.

Each photo is resized to the model's working size (longer side, ``work_size`` in the file, else
its training crop) and cut into non-overlapping 128-px tiles, the size the model was trained on;
each tile's pair is derived exactly as in training (``translate.data.derived``) and the model's
output is compared with the target (L1, PSNR, SSIM in [-1, 1] space), next to the identity
baseline (output = input). Blank tiles (photo std below 0.05, e.g. studio-white background) are
skipped: they say nothing and make PSNR infinite. ``--keep-luminance`` scores colorization models
with the web demo's default post-processing (the photo's own luma, the model's chroma). Prints
one JSON object per model.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch
from PIL import Image

from translate.core.quality import mean_paired_metrics
from translate.data.derived import DERIVATIONS
from translate.data.io import to_pil, to_tensor
from translate.inference import open_translator
from translate.runtime.imagefiles import list_images, load_image
from translate.webapp.postprocess import keep_luminance

TILE = 128


def tiles(img: Image.Image) -> list[torch.Tensor]:
    """Non-overlapping TILE x TILE tiles as [3, TILE, TILE] tensors in [-1, 1]."""
    t = to_tensor(img)
    _, h, w = t.shape
    return [t[:, y:y + TILE, x:x + TILE] for y in range(0, h - TILE + 1, TILE) for x in range(0, w - TILE + 1, TILE)]


@torch.no_grad()
def score(model: str, photos: list[Path], keep_luma: bool = False) -> dict:
    """Metrics of ``model`` and of the identity baseline on the tiles of ``photos``."""
    tr = open_translator(model)
    net, device = tr.backend.module, tr.backend.device
    info = tr.info
    work = int(info.extra.get("work_size") or info.crop_size)
    derive = DERIVATIONS.get(info.derive)
    pairs, ident = [], []
    for p in photos:
        img = load_image(p)
        k = work / max(img.size)
        img = img.resize((round(img.width * k), round(img.height * k)), Image.LANCZOS)
        for b in tiles(img):
            if float(b.std()) < 0.05:
                continue
            a = derive(b)
            src, tgt = (b, a) if info.direction == "BtoA" else (a, b)
            out = net(src[None].to(device)).cpu()
            if keep_luma:  # [1, 3, T, T] -> the photo's luma + the output's chroma
                out = to_tensor(keep_luminance(to_pil(b), to_pil(out[0])))[None]
            pairs.append((out, tgt[None]))
            ident.append((src[None], tgt[None]))
    return {"model": model, "keep_luminance": keep_luma, "derive": info.derive, "direction": info.direction,
            "work_size": work, "photos": len(photos),
            "tiles": len(pairs), "model_metrics": mean_paired_metrics(pairs), "identity": mean_paired_metrics(ident)}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="+")
    ap.add_argument("--photos", required=True, type=Path)
    ap.add_argument("--keep-luminance", action="store_true", help="colorization: score with the photo's own luma")
    a = ap.parse_args()
    photos = list_images(a.photos, recursive=True)
    for m in a.models:
        print(json.dumps(score(m, photos, a.keep_luminance)))
