"""``translate export --int8``: static INT8 quantisation of an exported generator (onnxruntime.quantization).

Calibration feeds real images from a folder (each fitted to ``size`` px on its longer side and
padded to the net's input multiple, as ``translate predict`` feeds them); weights are quantised
per channel (QInt8), activations per tensor (QUInt8) in QDQ format. The file keeps the fp32
export's metadata (so every loader describes it as before, with ``precision`` int8), and the
quality cost is reported as the PSNR of the INT8 outputs against the fp32 outputs on the
calibration images (outputs in [-1, 1], peak-to-peak 2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

from ..errors import InputError
from ..runtime import processing as ops
from ..runtime.files import expand_inputs
from ..runtime.imagefiles import load_image


@dataclass
class Int8Report:
    """What ``quantize_int8`` did: where, on how many images, and the PSNR vs fp32 (dB)."""

    path: Path
    images: int
    psnr_db: float
    fp32_mib: float
    int8_mib: float


def calibration_arrays(folder: str | Path, multiple: int, size: int = 256, limit: int = 32) -> list[np.ndarray]:
    """Up to ``limit`` images of ``folder`` as [1, 3, H, W] float32 in [-1, 1] (H, W multiples of ``multiple``)."""
    files = [f for f, _ in expand_inputs([folder])][:limit]  # InputError for a missing or image-less folder
    arrays = []
    for f in files:
        img = ops.fit_longer_side(load_image(f), size)
        arr, _ = ops.pad_to_multiple(ops.pil_to_array(img)[None], max(1, multiple))
        arrays.append(arr.astype(np.float32))
    return arrays


class _Reader(CalibrationDataReader):
    def __init__(self, name: str, arrays: list[np.ndarray]) -> None:
        self.items = iter([{name: a} for a in arrays])

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self.items, None)


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(4.0 / mse)


def quantize_int8(path: str | Path, calibration: str | Path, size: int = 256, limit: int = 32) -> Int8Report:
    """Replace the fp32 ONNX file ``path`` by its static INT8 quantisation calibrated on ``calibration``."""
    path = Path(path)
    model = onnx.load(str(path))
    meta = {p.key: p.value for p in model.metadata_props}
    if meta.get("kind", "image") != "image":
        raise InputError(f"--int8: {path} is a {meta.get('kind')!r} model; INT8 calibration takes image-to-image models")
    name = model.graph.input[0].name
    arrays = calibration_arrays(calibration, int(meta.get("input_multiple") or 1), size, limit)
    fp32 = path.with_suffix(".fp32.onnx")
    path.replace(fp32)
    try:
        quantize_static(str(fp32), str(path), _Reader(name, arrays), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
        q = onnx.load(str(path))
        onnx.helper.set_model_props(q, {**meta, "precision": "int8"})  # replaces what quantize_static wrote
        onnx.save(q, str(path))
        opts = ort.SessionOptions()
        ref = ort.InferenceSession(str(fp32), opts, providers=["CPUExecutionProvider"])
        got = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        psnr = [_psnr(got.run(None, {name: a})[0], ref.run(None, {name: a})[0]) for a in arrays]
        fp32_mib = fp32.stat().st_size / 2**20
    except BaseException:
        fp32.replace(path)  # leave the checked fp32 export, never a half-written file
        raise
    fp32.unlink()
    return Int8Report(path, len(arrays), float(np.median(psnr)), fp32_mib, path.stat().st_size / 2**20)
