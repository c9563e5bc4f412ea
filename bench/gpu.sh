#!/usr/bin/env bash
# The whole GPU check of issue #16 in one device call (budget: under 8 minutes on one GPU).
#
#   bash bench/gpu.sh [OUT_DIR]        # OUT_DIR defaults to $OUT, else bench/out
#
# Needs: an environment with CUDA torch, onnxruntime-gpu and this package (PYTHON, default python).
# Writes one JSON file per measurement plus summary.txt to OUT_DIR:
#   train_pix2pix_b1.json / train_pix2pix_b32.json  it/s, images/s, achieved GFLOP/s, peak GPU memory (bf16 autocast)
#   train_cyclegan_b1.json                           CycleGAN 256 batch 1 peak GPU memory (target < 3 GB)
#   onnx_fp16_b1.json / onnx_fp16_b64.json           unet_256 ONNX fp16 images/s on CUDA (target >= 10k img/s at 64)
#   summary.txt                                      the figures against the targets, incl. % of the GPU's bf16 peak
# Not run yet: no GPU was lent when it was written (docs/results.md says so); record its figures there when run.
set -u
PY=${PYTHON:-python}
OUT_DIR=${1:-${OUT:-bench/out}}
mkdir -p "$OUT_DIR"
export PYTHONPATH=${PYTHONPATH:-$PWD} NO_ALBUMENTATIONS_UPDATE=1
T() { timeout "$1" "${@:2}"; }  # every step has its own limit, so one hang cannot eat the call
log() { echo "[$(date -u +%T)] $*" | tee -a "$OUT_DIR/summary.txt"; }

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$OUT_DIR/gpu.txt" || { log "no GPU"; exit 2; }
$PY - <<'PY' >> "$OUT_DIR/gpu.txt" 2>&1
import torch, onnxruntime as ort
print("torch", torch.__version__, "cuda", torch.version.cuda, "bf16", torch.cuda.is_bf16_supported())
print("onnxruntime", ort.__version__, ort.get_available_providers())
PY

log "1/5 pix2pix 256 batch 1 training (bf16 autocast)"
T 100 $PY -m translate bench train pix2pix --size 256 --batch 1 --steps 30 --device cuda --amp --json > "$OUT_DIR/train_pix2pix_b1.json"
log "2/5 pix2pix 256 batch 32 training (bf16 autocast)"
T 120 $PY -m translate bench train pix2pix --size 256 --batch 32 --steps 10 --device cuda --amp --json > "$OUT_DIR/train_pix2pix_b32.json"
log "3/5 CycleGAN 256 batch 1 training, fp32 and peak memory"
T 100 $PY -m translate bench train cyclegan --size 256 --batch 1 --steps 10 --device cuda --json > "$OUT_DIR/train_cyclegan_b1.json"

log "4/5 unet_256 ONNX fp16 export"
$PY - "$OUT_DIR" <<'PY'
import sys
import translate.nets  # noqa: F401
from translate.checkpoint import save_generators
from translate.config import Config, DataConfig, NetConfig
from translate.registry import GENERATORS
from translate.tasks.base import build_net
net = build_net(GENERATORS, NetConfig(arch="unet_256", options={"norm": "batch", "use_dropout": True}))
cfg = Config(task="pix2pix", data=DataConfig(crop_size=256, load_size=286))
save_generators(f"{sys.argv[1]}/unet_256.safetensors", {"G": net}, task="pix2pix", config=cfg,
                net_meta={"G": {"direction": "AtoB", "crop_size": 256}})
PY
T 120 $PY -m translate export "$OUT_DIR/unet_256.safetensors" --out "$OUT_DIR/unet_256_fp16.onnx" --fp16 > "$OUT_DIR/export.txt" 2>&1
log "5/5 unet_256 ONNX fp16 inference on CUDA, batch 1 and 64"
T 60 $PY -m translate bench predict "$OUT_DIR/unet_256_fp16.onnx" --backend onnx --device cuda --batch 1 --iters 50 --json > "$OUT_DIR/onnx_fp16_b1.json"
T 90 $PY -m translate bench predict "$OUT_DIR/unet_256_fp16.onnx" --backend onnx --device cuda --batch 64 --iters 10 --json > "$OUT_DIR/onnx_fp16_b64.json"
rm -f "$OUT_DIR"/*.onnx "$OUT_DIR"/*.safetensors  # too large to bring back

$PY - "$OUT_DIR" <<'PY' | tee -a "$OUT_DIR/summary.txt"
import json, sys, pathlib
d = pathlib.Path(sys.argv[1])
BF16_PEAK_TFLOPS = {"H200": 989.0, "H100": 989.0, "A100": 312.0, "L4": 121.0}  # dense bf16 tensor-core peaks
gpu = (d / "gpu.txt").read_text().split(",")[0]
peak = next((v for k, v in BF16_PEAK_TFLOPS.items() if k in gpu), None)
def get(name):
    try:
        return json.loads((d / name).read_text())
    except (OSError, ValueError):
        return None
for name in ("train_pix2pix_b1.json", "train_pix2pix_b32.json", "train_cyclegan_b1.json"):
    r = get(name)
    if r is None:
        print(f"{name}: missing (failed or timed out)")
        continue
    tf = (r.get("achieved_gflop_per_s") or 0) / 1e3
    share = f", {100 * tf / peak:.1f} % of {peak:.0f} TFLOP/s bf16 peak" if peak and tf else ""
    print(f"{name}: {r['it_per_s']:.2f} it/s, {r['images_per_s']:.1f} img/s, {tf:.1f} TFLOP/s{share}, "
          f"peak {r.get('peak_gpu_memory_mib', float('nan')):.0f} MiB ({r['precision']})")
for name in ("onnx_fp16_b1.json", "onnx_fp16_b64.json"):
    r = get(name)
    print(f"{name}: " + ("missing" if r is None else f"{r['images_per_s']:.0f} img/s, {r['latency_ms_per_batch']:.2f} ms/batch on {r['device']}"))
print("targets: pix2pix b32 >= 30 % of bf16 peak; unet_256 ONNX fp16 >= 10000 img/s at batch 64; CycleGAN 256 b1 peak < 3072 MiB")
PY
