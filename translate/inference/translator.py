"""Inference: load any model file and translate images (torch backend).

``Translator(model)`` accepts a run folder, a generator ``.safetensors``, or a reference-repo
``.pth`` with ``arch=...``. Images of any size are padded to the net's input multiple and cropped
back (or, with ``size``, processed with their longer side at ``size`` and resized back), so outputs
always have the input's size and aspect. Pre/post-processing lives in torch-free ``imageops`` and is
shared with the onnxruntime backend (``translate.runtime``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch
from PIL import Image

from .. import checkpoint as ckpt
from ..runtime import processing as ops
from ..errors import ConfigError
from ..core.precision import pick_device
from ..runtime.files import IMAGE_SUFFIXES, expand_inputs, output_path  # noqa: F401  (re-exported)
from ..nets.loading import load_model_file, load_reference
from ..runtime.modelinfo import ModelInfo, info_from_meta, pick_net

_pick_net = pick_net  # the former private name


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
            self.module, meta = load_reference(path, arch, arch_options or {})
            nets_meta, default, task = {"G": meta}, "G", "reference"
        else:
            if arch:
                raise ConfigError("--arch is only for reference .pth/.ckpt files; gan-translate files describe themselves")
            gf = load_model_file(path)
            nets_meta, default, task = gf.info, gf.default, gf.task
            name = pick_net(nets_meta, default, net, direction)
            self.module = gf.nets[name]
            default = name
            path = gf.path
        self.info: ModelInfo = info_from_meta(str(path), task, default, nets_meta[default])
        self.module = self.module.to(self.device)
        self.module.train(train_mode)  # train_mode: the reference test's dropout/BN behaviour
        self.train_mode = train_mode

    # ------------------------------------------------------------------ images
    def prepare(self, img: Image.Image) -> Image.Image:
        """Model-specific input conditioning (colorization models see grayscale)."""
        return ops.prepare_image(img, self.info.derive)

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
        return ops.translate_images(images, lambda a: self.run_arrays(a, **cond), multiple=self.info.input_multiple,
                                    size=size, batch_size=batch_size, prepare=self.prepare)

    def sample(self, num: int, seed: int = 0, psi: float = 1.0, *, y: Any = None, batch_size: int = 8) -> list[Image.Image]:
        """``num`` images from a latent model, the same latents as ``runtime.OnnxTranslator.sample``."""
        from .latent import sample_images

        return sample_images(self, num, seed, psi, y=y, batch_size=batch_size)


def _run_image(t: Translator, x: torch.Tensor, cond: dict[str, Any]) -> torch.Tensor:
    if cond:
        raise ConfigError(f"{t.info.path}: this model takes no {', '.join(cond)}")
    return t.module(x)


# kind -> runner(translator, x [N,3,H,W], conditioning) -> [N,3,H,W]; tasks with other inputs add theirs
KIND_RUNNERS: dict[str, Callable[[Translator, torch.Tensor, dict[str, Any]], torch.Tensor]] = {"image": _run_image}


def _run_image_domain(t: Translator, x: torch.Tensor, cond: dict[str, Any]) -> torch.Tensor:
    """StarGAN-style generators: ``domain`` = name(s), index, or label values [C] / [N, C]."""
    from ..runtime.modelinfo import domain_vector

    cond = dict(cond)
    c_dim = int(getattr(t.module, "c_dim", 0) or len(t.info.domains))
    if cond.get("domain") is None:
        names = ", ".join(t.info.domains) or f"an index 0..{c_dim - 1}"
        raise ConfigError(f"{t.info.path}: this model needs a target domain (--domain; one of {names})")
    value = cond.pop("domain")
    if isinstance(value, str) and not t.info.domains and value.strip().isdigit():
        value = int(value)  # reference checkpoints carry no domain names
    if cond:
        raise ConfigError(f"{t.info.path}: this model takes no {', '.join(cond)}")
    c = torch.from_numpy(domain_vector(value, t.info.domains, c_dim, x.shape[0])).to(t.device)
    return t.module(x, c)  # x [N, 3, H, W], c [N, C] -> [N, 3, H, W]


KIND_RUNNERS["image+domain"] = _run_image_domain


def _run_latent(t: Translator, z: torch.Tensor, cond: dict[str, Any]) -> torch.Tensor:
    from .latent import run_latent

    return run_latent(t, z, cond)


KIND_RUNNERS["latent"] = _run_latent  # z [N, z_dim] (+ y=, psi=) -> [N, 3, S, S]
