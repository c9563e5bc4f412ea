"""ONNX export of generators with a parity check against torch (``translate export``).

One export: the generator in eval mode (a generator file already holds the EMA weights when the
run used EMA) is wrapped with the graph's named inputs (``translate.nets.signature``), exported with
dynamic batch/height/width (``static_size``/``static_batch`` fix them), described in the file's
``metadata_props`` (task, net, arch, kind, direction, domains, input multiple, normalisation, crop
size, z_dim, parameter count, source config, exporter, precision) and checked on onnxruntime (CPU)
against torch at two input sizes with batch 2 (``parity.py``). A difference above 1e-4 (fp32) or 2e-2 (fp16) fails the export with
the figures and leaves no file: the graph is written to a temporary file and renamed on success.

Exporter: the dynamo exporter (``torch.onnx.export(dynamo=True)``) is the default because it is the
one that exports every registered generator (the TorchScript exporter cannot export StarGAN's
InstanceNorm with running statistics at a dynamic batch size) and gives clean graphs (reflection
padding as one ``Pad`` op); ``exporter="auto"`` falls back to TorchScript if dynamo fails.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import io
import json
import logging
import os
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

import onnx
import torch
from torch import nn
from torch.export import Dim

from .. import __version__
from .. import checkpoint as ckpt
from ..errors import ConfigError, TranslateError
from ..nets.layers import count_params
from ..nets.loading import load_model_file, load_reference
from ..nets.signature import GraphSpec, signature
from ..runtime.modelinfo import pick_net
from .graph import KEEP_FP32, GraphModule, to_half
from .parity import TOLERANCE, ParityError, ParityFigure, check_parity, torch_fp32_error

FORMAT = "gan-translate-onnx/1"
EXPORTERS = ("auto", "dynamo", "torchscript")
DEFAULT_OPSET = 18


@dataclass
class ExportOptions:
    """How to export: opset, precision, static shapes, exporter."""
    opset: int = DEFAULT_OPSET
    fp16: bool = False
    static_size: int = 0  # > 0: fixed square height/width
    static_batch: int = 0  # > 0: fixed batch size
    exporter: str = "auto"  # auto (dynamo, TorchScript fallback) | dynamo | torchscript
    fp16_instance_norm: bool = False  # True: InstanceNorm in fp16 too (default keeps it fp32)

    @property
    def precision(self) -> str:
        return "fp16" if self.fp16 else "fp32"


@dataclass
class ExportReport:
    """What one export wrote and measured."""
    path: Path
    net: str
    precision: str
    opset: int
    exporter: str
    tolerance: float
    parity: list[ParityFigure] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)

    def parity_line(self) -> str:
        figs = "  ".join(f"{f.shape}: max {f.max_abs_diff:.2e} (mean {f.mean_abs_diff:.1e})" for f in self.parity)
        line = f"parity {self.precision} vs torch, max abs diff: {figs}  (limit {self.tolerance:g})"
        if any(f.torch_error for f in self.parity):  # an ill-conditioned net: its limits follow torch's own error
            f = self.parity[0]
            line += f"; torch's own fp32 error (vs fp64) up to {f.torch_error:.2e} -> limit {f.limit(self.tolerance):.2e}"
        return line

    def passed(self) -> bool:
        return all(f.max_abs_diff <= f.limit(self.tolerance) for f in self.parity)


# ----------------------------------------------------------------------------- export


def _trace_inputs(spec: GraphSpec, net: nn.Module, opts: ExportOptions) -> dict[str, torch.Tensor]:
    batch = opts.static_batch or 2
    if not spec.spatial:
        return spec.sample(batch, None, 1.0)
    if opts.static_size:
        return spec.sample(batch, (opts.static_size, opts.static_size), 1.0)
    m = max(1, int(getattr(net, "input_multiple", 1)))
    s = m * max(1, -(-64 // m))
    return spec.sample(batch, (s, s), 1.0)


def _dynamo(module: nn.Module, args: tuple, spec: GraphSpec, opset: int) -> Any:

    shapes = tuple({a: Dim.AUTO for a, s in enumerate(i.shape) if isinstance(s, str)} or None for i in spec.inputs)
    prog = torch.onnx.export(module, args, None, input_names=spec.names, output_names=["output"], opset_version=opset,
                             dynamo=True, dynamic_shapes=shapes, verbose=False)
    return prog.model_proto


def _torchscript(module: nn.Module, args: tuple, spec: GraphSpec, opset: int) -> Any:

    buf = io.BytesIO()
    torch.onnx.export(module, args, buf, input_names=spec.names, output_names=["output"], opset_version=opset,
                      dynamo=False, dynamic_axes=spec.dynamic_axes(), do_constant_folding=True)
    return onnx.load_from_string(buf.getvalue())


_EXPORT_FNS: dict[str, Callable[..., Any]] = {"dynamo": _dynamo, "torchscript": _torchscript}


def _to_onnx(module: nn.Module, args: tuple, spec: GraphSpec, opts: ExportOptions, log: Callable[[str], None]) -> tuple[Any, str]:
    """(ModelProto, exporter used); ``auto`` tries dynamo, then TorchScript."""
    if opts.exporter not in EXPORTERS:
        raise ConfigError(f"--exporter: expected one of {', '.join(EXPORTERS)}, got {opts.exporter!r}")
    order = ["dynamo", "torchscript"] if opts.exporter == "auto" else [opts.exporter]
    errors = []
    for name in order:
        try:
            with warnings.catch_warnings(), _quiet_torch_logs(), contextlib.redirect_stdout(io.StringIO()), \
                    contextlib.redirect_stderr(io.StringIO()):
                warnings.simplefilter("ignore")
                return _EXPORT_FNS[name](module, args, spec, opts.opset), name
        except Exception as exc:  # noqa: BLE001 - exporter failures come in many types
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
            errors.append(f"{name}: {first}")
            if name != order[-1]:
                log(f"note: the {name} exporter failed ({first}); trying {order[-1]}")
    raise TranslateError("ONNX export failed: " + "; ".join(errors))


@contextlib.contextmanager
def _quiet_torch_logs() -> Any:
    """Silence the exporter's logger chatter (opset conversion notices) for the export call."""
    loggers = [logging.getLogger(n) for n in ("torch.onnx", "torch.export", "torch._dynamo", "onnxscript")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for lg, lv in zip(loggers, levels):
            lg.setLevel(lv)


def _set_metadata(model: Any, meta: dict[str, Any]) -> dict[str, str]:

    props = {k: v if isinstance(v, str) else json.dumps(v) for k, v in meta.items() if v is not None}
    onnx.helper.set_model_props(model, props)
    model.producer_name, model.producer_version = "gan-translate", __version__
    model.doc_string = f"{meta.get('task', '')} generator {meta.get('arch', '')} ({meta.get('precision')}); inputs NCHW float32 in [-1, 1]"
    return props


# ----------------------------------------------------------------------------- one generator


def export_net(
    net: nn.Module, out: str | Path, meta: dict[str, Any], opts: ExportOptions | None = None,
    log: Callable[[str], None] = print,
) -> ExportReport:
    """Export one generator to ``out`` (atomic) after a passing parity check; raises ParityError."""
    opts = opts or ExportOptions()
    out = Path(out)
    net = net.eval()
    static_hw = (opts.static_size, opts.static_size) if opts.static_size else None
    spec = signature(net, static_hw, opts.static_batch)
    m = int(getattr(net, "input_multiple", 1))
    if opts.static_size and opts.static_size % m:
        raise ConfigError(f"--static-size {opts.static_size}: must be a multiple of {m} for {meta.get('arch', 'this net')}")
    if opts.fp16 and not getattr(net, "supports_fp16", True):
        raise ConfigError(f"--fp16: {meta.get('arch', type(net).__name__)} does not stay within the fp16 parity limit "
                          "(2e-2); export it in float32 (drop --fp16)")
    if opts.fp16:
        module = GraphModule(to_half(net, () if opts.fp16_instance_norm else KEEP_FP32), spec, half=True).eval()
    else:
        module = GraphModule(net, spec).eval()
    args = tuple(_trace_inputs(spec, net, opts).values())
    model, used = _to_onnx(module, args, spec, opts, log)
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), opts.opset)
    if opset != opts.opset:
        log(f"note: the {used} exporter produced opset {opset} (asked for {opts.opset})")
    full_meta = {
        "format": FORMAT, **meta, "kind": getattr(net, "kind", "image"), "input_multiple": m, "params": count_params(net),
        **spec.meta, "inputs": [i.as_meta() for i in spec.inputs], "outputs": ["output"],
        "precision": opts.precision,
        "fp16_float32_ops": "InstanceNormalization" if opts.fp16 and not opts.fp16_instance_norm else "",
        "static_size": opts.static_size, "static_batch": opts.static_batch, "opset": opset,
        "exporter": f"gan-translate {__version__}, torch {torch.__version__} ({used})",
        "exported": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
    props = _set_metadata(model, full_meta)
    onnx.checker.check_model(model)
    data = model.SerializeToString()
    tol = TOLERANCE[opts.precision]
    figures = check_parity(net, spec, data, opts.static_size, opts.static_batch)
    if not opts.fp16 and any(f.max_abs_diff > tol for f in figures):  # as accurate as torch's own fp32?
        worst = max(torch_fp32_error(net, spec, opts.static_size, opts.static_batch))
        figures = [replace(f, torch_error=worst) for f in figures]
    report = ExportReport(out, str(meta.get("net", "")), opts.precision, opset, used, tol, figures, props)
    log(report.parity_line())
    if not report.passed():
        raise ParityError(f"{out}: parity check failed, not written: {report.parity_line()}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return report


# ----------------------------------------------------------------------------- model files


def _file_meta(path: Path, gf: Any, name: str) -> dict[str, Any]:
    m = dict(gf.info[name])
    return {
        "task": gf.task, "net": name, "arch": m.pop("arch", ""), "options": m.pop("options", {}),
        "direction": m.pop("direction", ""), "domains": m.pop("domains", []), "crop_size": m.pop("crop_size", 0),
        "derive": m.pop("derive", ""), "normalization": gf.meta.get("normalization", ckpt.NORMALISATION),
        "config": gf.meta.get("config", ""), "source": str(path), "step": gf.meta.get("step"), "ema": gf.meta.get("ema"),
        "translate_version": gf.meta.get("translate_version", ""),
        "net_meta": {k: v for k, v in m.items() if k not in ("kind", "input_multiple")},
    }


def _out_paths(out: Path, names: list[str], info: dict[str, dict[str, Any]]) -> dict[str, Path]:
    """``--all``: FILE_AtoB.onnx/FILE_BtoA.onnx when directions tell the nets apart, else FILE_<net>.onnx."""
    dirs = [info[n].get("direction") for n in names]
    use_dir = all(dirs) and len(set(dirs)) == len(dirs)
    return {n: out.with_name(f"{out.stem}_{d if use_dir else n}{out.suffix or '.onnx'}") for n, d in zip(names, dirs)}


def export_model(
    model: str | Path, out: str | Path, *, net: str | None = None, direction: str | None = None, all_nets: bool = False,
    arch: str | None = None, arch_options: dict[str, Any] | None = None, options: ExportOptions | None = None,
    log: Callable[[str], None] = print,
) -> list[ExportReport]:
    """Export the chosen generator (or every one with ``all_nets``) of a model file or run folder."""
    out, path = Path(out), Path(model)
    opts = options or ExportOptions()
    if path.suffix.lower() in ckpt.REFERENCE_SUFFIXES:
        if net or direction or all_nets:
            raise ConfigError("--net/--direction/--all: a reference .pth holds one generator")
        module, m = load_reference(path, arch, arch_options or {})
        meta = {"task": "reference", "net": "G", "arch": m["arch"], "options": m["options"], "source": str(path),
                "normalization": ckpt.NORMALISATION, "config": ""}
        return [export_net(module, out, meta, opts, log)]
    if arch:
        raise ConfigError("--arch is only for reference .pth/.ckpt files; gan-translate files describe themselves")
    gf = load_model_file(path)
    if all_nets:
        if net or direction:
            raise ConfigError("--all exports every generator; drop --net/--direction")
        targets = _out_paths(out, list(gf.nets), gf.info)
    else:
        name = pick_net(gf.info, gf.default, net, direction)
        if len(gf.nets) > 1 and not (net or direction):
            log(f"note: {gf.path} holds {', '.join(gf.nets)}; exporting {name} (--all for every one)")
        targets = {name: out}
    return [export_net(gf.nets[n], p, _file_meta(gf.path, gf, n), opts, log) for n, p in targets.items()]
