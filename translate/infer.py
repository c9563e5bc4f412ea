"""Inference: load any model file and translate images (torch backend).

``Translator(model)`` accepts a run folder, a generator ``.safetensors``, or a reference-repo
``.pth`` with ``arch=...``. Images of any size are padded to the net's input multiple and cropped
back (or, with ``size``, processed with their longer side at ``size`` and resized back), so outputs
always have the input's size and aspect. Pre/post-processing lives in torch-free ``imageops`` and is
shared with the onnxruntime backend (``translate.runtime``).
"""

from __future__ import annotations

import glob
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
import torch
from PIL import Image

from . import checkpoint as ckpt
from . import imageops as ops
from .errors import ConfigError, InputError
from .core.precision import pick_device

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".gif", ".ppm", ".pgm")


@dataclass
class ModelInfo:
    """What a loaded model is and how to feed it."""

    path: str
    task: str
    net: str  # the generator used (G, G_A, ...)
    arch: str
    kind: str  # image | image+domain | latent
    input_multiple: int
    direction: str = ""
    domains: list[str] = field(default_factory=list)
    crop_size: int = 0
    derive: str = ""
    z_dim: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def _pick_net(nets_meta: dict[str, dict[str, Any]], default: str, net: str | None, direction: str | None) -> str:
    if net:
        if net not in nets_meta:
            raise ConfigError(f"--net {net!r}: this model has {', '.join(nets_meta)}")
        return net
    if direction:
        matches = [k for k, m in nets_meta.items() if m.get("direction") == direction]
        if not matches:
            have = ", ".join(f"{k}: {m.get('direction') or '?'}" for k, m in nets_meta.items())
            raise ConfigError(f"--direction {direction}: this model translates only {have}")
        return matches[0]
    return default


class Translator:
    """A generator ready for inference, with size handling and batching."""

    def __init__(
        self,
        model: str | Path,
        *,
        net: str | None = None,
        direction: str | None = None,
        arch: str | None = None,
        arch_options: dict[str, Any] | None = None,
        device: str = "auto",
        train_mode: bool = False,
    ) -> None:
        self.device = pick_device(device)
        path = Path(model)
        if path.suffix.lower() in (".pth", ".pt", ".ckpt"):
            self.module, meta = ckpt.load_reference(path, arch, arch_options or {})
            nets_meta, default, task = {"G": meta}, "G", "reference"
        else:
            if arch:
                raise ConfigError("--arch is only for reference .pth/.ckpt files; gan-translate files describe themselves")
            gf = ckpt.load_generators(ckpt.resolve_generator_file(path))
            nets_meta, default, task = gf.info, gf.default, gf.task
            name = _pick_net(nets_meta, default, net, direction)
            self.module = gf.nets[name]
            default = name
            path = gf.path
        m = nets_meta[default]
        self.info = ModelInfo(
            path=str(path), task=task, net=default, arch=m.get("arch", ""), kind=m.get("kind", "image"),
            input_multiple=int(m.get("input_multiple", 1)), direction=m.get("direction", ""),
            domains=list(m.get("domains", [])), crop_size=int(m.get("crop_size", 0) or 0),
            derive=m.get("derive", ""), z_dim=int(m.get("z_dim", 0) or 0), extra=m,
        )
        self.module = self.module.to(self.device)
        self.module.train(train_mode)  # train_mode: the reference test's dropout/BN behaviour
        self.train_mode = train_mode

    # ------------------------------------------------------------------ images
    def prepare(self, img: Image.Image) -> Image.Image:
        """Model-specific input conditioning (colorization models see grayscale)."""
        return ops.to_gray3(img) if self.info.derive == "colorization" else img.convert("RGB")

    @torch.no_grad()
    def run_arrays(self, batch: np.ndarray, **cond: Any) -> np.ndarray:
        """[N, 3, H, W] float32 in [-1, 1] (H, W multiples of input_multiple) -> same shape."""
        x = torch.from_numpy(np.ascontiguousarray(batch)).to(self.device)
        runner = KIND_RUNNERS.get(self.info.kind)
        if runner is None:
            raise ConfigError(f"{self.info.path}: generators of kind {self.info.kind!r} do not translate images")
        return runner(self, x, cond).float().cpu().numpy()

    def translate(self, images: list[Image.Image], *, size: int = 0, batch_size: int = 8, **cond: Any) -> list[Image.Image]:
        """Translate PIL images; outputs have each input's size. Same-size inputs are batched."""
        prepared = [ops.fit_longer_side(self.prepare(im), size) for im in images]
        arrays = [ops.pil_to_array(im) for im in prepared]
        outputs: list[Image.Image | None] = [None] * len(images)
        groups: dict[tuple[int, int], list[int]] = {}
        for i, a in enumerate(arrays):
            groups.setdefault(a.shape[1:], []).append(i)
        for idx in groups.values():
            for s in range(0, len(idx), batch_size):
                chunk = idx[s : s + batch_size]
                padded, pad = ops.pad_to_multiple(np.stack([arrays[i] for i in chunk]), self.info.input_multiple)
                out = ops.crop_padding(self.run_arrays(padded, **cond), pad)
                for i, o in zip(chunk, out):
                    im = ops.array_to_pil(o)
                    if im.size != images[i].size:
                        im = im.resize(images[i].size, Image.BICUBIC)
                    outputs[i] = im
        return outputs  # type: ignore[return-value]


def _run_image(t: Translator, x: torch.Tensor, cond: dict[str, Any]) -> torch.Tensor:
    if cond:
        raise ConfigError(f"{t.info.path}: this model takes no {', '.join(cond)}")
    return t.module(x)


# kind -> runner(translator, x [N,3,H,W], conditioning) -> [N,3,H,W]; tasks with other inputs add theirs
KIND_RUNNERS: dict[str, Callable[[Translator, torch.Tensor, dict[str, Any]], torch.Tensor]] = {"image": _run_image}


# ---------------------------------------------------------------------- files and folders


def expand_inputs(inputs: Iterable[str]) -> list[tuple[Path, Path]]:
    """Files, folders (recursive) and globs -> (file, relative output stem) pairs, in order."""
    out: list[tuple[Path, Path]] = []
    for raw in inputs:
        p = Path(raw)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES and not f.name.startswith("."))
            if not files:
                raise InputError(f"{p}: no images found (looked for {', '.join(IMAGE_SUFFIXES)})")
            out += [(f, f.relative_to(p).with_suffix("")) for f in files]
        elif p.is_file():
            out.append((p, Path(p.stem)))
        else:
            matches = sorted(glob.glob(raw, recursive=True))
            if not matches:
                raise InputError(f"{raw}: no such file, folder or matching glob")
            out += [(Path(m), Path(Path(m).stem)) for m in matches if Path(m).is_file()]
    return out


def output_path(out_dir: Path, rel: Path, used: set[Path]) -> Path:
    """``out_dir/rel.png``, made unique when two inputs share a stem (a.jpg, a.png)."""
    cand = out_dir / rel.with_suffix(".png")
    n = 1
    while cand in used:
        cand = out_dir / rel.parent / f"{rel.name}_{n}.png"
        n += 1
    used.add(cand)
    return cand
