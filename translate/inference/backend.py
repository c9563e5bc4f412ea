"""The torch backend: a generator from a run folder, generator file or reference ``.pth`` on torch.

``TorchBackend`` loads and places the net and exposes what ``translate.runtime.translator.Translator``
needs (``info``, ``inputs``, ``facts``, ``run(feeds)``); the net is called through its
``translate.nets.signature`` (named inputs ``input``/``domain``/``z``/``y``/``psi``), the very call an
ONNX export traces, so both backends run the same graph on the same feeds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch
from torch import nn

from .. import checkpoint as ckpt
from ..core.precision import pick_device
from ..errors import ConfigError
from ..nets.layers import count_params
from ..nets.loading import load_model_file, load_reference
from ..nets.signature import signature
from ..runtime.modelinfo import ModelInfo, check_direction, info_from_meta, pick_net


def load_module(model: str | Path, *, net: str | None = None, direction: str | None = None, arch: str | None = None,
                arch_options: dict[str, Any] | None = None) -> tuple[nn.Module, ModelInfo]:
    """(generator in eval mode on the CPU, its ModelInfo) for any torch model file or run folder."""
    path = Path(model)
    if path.suffix.lower() in ckpt.REFERENCE_SUFFIXES:
        if net and net != "G":
            raise ConfigError(f"--net {net}: a reference .pth holds one generator (G)")
        module, meta = load_reference(path, arch, arch_options or {})
        check_direction(direction)  # the file does not know its direction: the user's choice is it
        return module, info_from_meta(str(path), "reference", "G", {**meta, "direction": direction or ""})
    if arch:
        raise ConfigError("--arch is only for reference .pth/.ckpt files; gan-translate files describe themselves")
    gf = load_model_file(path)
    name = pick_net(gf.info, gf.default, net, direction)
    return gf.nets[name], info_from_meta(str(gf.path), gf.task, name, gf.info[name])


_NHWC_SLOW = (nn.InstanceNorm2d, nn.ReflectionPad2d)  # resnet_9blocks in NHWC: 0.90x on the CPU (docs/results.md)


def _nhwc_slow(module: nn.Module) -> bool:
    return any(isinstance(m, _NHWC_SLOW) for m in module.modules())


class TorchBackend:
    """One generator on torch (CPU or CUDA); ``train_mode`` keeps dropout/batch statistics on (the
    reference test behaviour of pix2pix). ``channels_last`` (default: on for image-to-image nets on
    the CPU without InstanceNorm/reflection padding: unet_256 1.33x, resnet_9blocks 0.90x at 256 px)
    runs the net in NHWC; outputs equal NCHW to float rounding. ``compile`` (a mode of
    ``translate.inference.compiled.COMPILE_MODES``, default None: eager) runs it through
    ``torch.compile`` with frozen weights; each new input shape compiles on its first call; a batch
    smaller than the largest one run so far is padded up to it when more than half full, and run
    eager otherwise (``compiled.use_compiled``)."""

    name = "torch"
    static_hw = None  # torch nets take any size that is a multiple of ``info.input_multiple``

    def __init__(self, model: str | Path, *, net: str | None = None, direction: str | None = None, arch: str | None = None,
                 arch_options: dict[str, Any] | None = None, device: str = "auto", train_mode: bool = False,
                 channels_last: bool | None = None, compile: str | None = None) -> None:
        module, info = load_module(model, net=net, direction=direction, arch=arch, arch_options=arch_options)
        dev = pick_device(device)
        if channels_last is None:  # oneDNN's NHWC convolutions pay for U-Nets, not for InstanceNorm/reflection nets
            channels_last = dev.type == "cpu" and info.kind == "image" and not _nhwc_slow(module)
        module = module.to(dev).train(train_mode)
        self._attach(module.to(memory_format=torch.channels_last) if channels_last else module, info)
        self.channels_last = channels_last
        if compile is not None:
            from .compiled import compile_for_inference

            self._runner = compile_for_inference(self.module, compile)
        self.compile = compile

    @classmethod
    def for_module(cls, module: nn.Module, info: ModelInfo) -> "TorchBackend":
        """A backend over a live generator (training-time evaluation), used as it is: device and mode kept."""
        self = cls.__new__(cls)
        self._attach(module, info)
        return self

    def _attach(self, module: nn.Module, info: ModelInfo) -> None:
        self.module, self.info = module, info
        self.channels_last = False
        self._runner: Callable[..., torch.Tensor] = module  # what run() calls: the module, or its CompiledNet
        self.compile: str | None = None
        self._batch = 0  # compiled: the largest batch run so far; smaller batches are padded up to it
        self.device = next(module.parameters()).device
        self.train_mode = module.training
        with torch.random.fork_rng(devices=[]):  # the signature probes the net with random inputs
            self.spec = signature(self.module)
        self.inputs = {i.name: i for i in self.spec.inputs}
        self._batched = {i.name for i in self.spec.inputs if i.shape and isinstance(i.shape[0], str)}  # batch-axis inputs
        self.facts: dict[str, Any] = dict(self.spec.meta)
        self.num_params: int | None = count_params(self.module)

    @torch.inference_mode()
    def run(self, feeds: dict[str, np.ndarray]) -> np.ndarray:
        """Named numpy inputs -> float32 numpy output (the generator's forward through its signature)."""
        tensors = {k: torch.from_numpy(np.ascontiguousarray(v)).to(self.device) for k, v in feeds.items()}
        n = next((tensors[k].shape[0] for k in self._batched if k in tensors), None)  # None: no batch axis
        runner = self._runner
        if self.compile is not None and n is not None:  # padded before the NHWC copy: the compiled graph's strides
            from .compiled import pad_batch, use_compiled

            self._batch = max(self._batch, n)
            if use_compiled(n, self._batch):
                tensors = pad_batch(tensors, self._batched, self._batch)
            else:  # a small remainder: eager costs less than a padded full batch or another compilation
                runner = self.module
        if self.channels_last:
            tensors = {k: v.contiguous(memory_format=torch.channels_last) if v.dim() == 4 else v for k, v in tensors.items()}
        return self.spec.call(runner, tensors)[:n].float().contiguous().cpu().numpy()
