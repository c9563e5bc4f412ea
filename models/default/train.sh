#!/usr/bin/env bash
# Reproduces the bundled default models of the web demo (`make default-model`):
#   models/default/colorize.safetensors  grayscale photo -> colour photo   (pix2pix, derived pairs)
#   models/default/sketch.safetensors    photo -> pencil sketch            (pix2pix, derived pairs, L1 only)
# Data: photos that ship inside the scikit-image, scikit-learn and matplotlib wheels (no download;
# models/default/bundled_photos.py). Runs go to a temporary folder ($WORK); the final generators
# are stored as fp16 with the web demo's working size (models/default/to_fp16.py).
# Environment: PY (python with gan-translate installed, default .venv/bin/python), WORK (run
# folder, default a new temp dir), ONLY (subset of "colorize sketch").
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/default-models.XXXXXX")}
ONLY=${ONLY:-colorize sketch}
export NO_ALBUMENTATIONS_UPDATE=1
echo "work folder: $WORK"

# 128-px random crops of 160-px tiles, U-Net 128 (7 downs) with 16 base channels, batch 8,
# learning rate constant for the first half of the steps, then linear decay to 0.
COMMON=(--size 128 --batch 8 --seed 0
  --set generator.ngf=16 --set data.preprocess=crop --set data.num_workers=1
  --set schedule.per=step --set train.progress=false --set train.log_every=50
  --set train.sample_every=250 --set train.latest_every=100 --set train.ckpt_every=0)

for name in $ONLY; do
  case "$name" in
    colorize)
      "$PY" models/default/bundled_photos.py "$WORK/photos_natural" --set natural
      "$PY" -m translate train pix2pix --data "$WORK/photos_natural" --derive colorization --steps 1500 \
        --out "$WORK/colorize" "${COMMON[@]}" --set discriminator.ndf=32
      "$PY" models/default/to_fp16.py "$WORK/colorize" models/default/colorize.safetensors --work-size 320
      ;;
    sketch)
      "$PY" models/default/bundled_photos.py "$WORK/photos_all" --set all
      "$PY" -m translate train pix2pix --data "$WORK/photos_all" --derive sketch --direction BtoA --steps 4000 \
        --out "$WORK/sketch" "${COMMON[@]}" --set options.lambda_gan=0
      "$PY" models/default/to_fp16.py "$WORK/sketch" models/default/sketch.safetensors --work-size 320
      ;;
    *) echo "unknown default model: $name (known: colorize sketch)" >&2; exit 2 ;;
  esac
done
