#!/usr/bin/env bash
# Reproduces the bundled default models of the web demo (`make default-model`):
#   models/default/colorize.safetensors  grayscale photo -> colour photo   (pix2pix U-Net, derived pairs, L1 only)
#   models/default/sketch.safetensors    photo -> pencil sketch            (pix2pix U-Net, derived pairs, L1 only)
# Data: photos that ship inside the scikit-image, scikit-learn and matplotlib wheels (no download;
# models/default/bundled_photos.py). Runs go to a temporary folder ($WORK); the final generators
# are stored as fp16 with the web demo's working size (models/default/to_fp16.py).
# Environment: PY (python with gan-translate installed, default .venv/bin/python), WORK (run
# folder, default a new temp dir), ONLY (subset of "colorize sketch"), DEST (where the .safetensors
# go, default models/default), STEPS (override the step budget: smoke tests only).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/default-models.XXXXXX")}
ONLY=${ONLY:-colorize sketch}
DEST=${DEST:-models/default}
export NO_ALBUMENTATIONS_UPDATE=1
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}  # as the bundled models were trained (see the comment below)
echo "work folder: $WORK"

# 128-px random crops of 160-px tiles, U-Net 128 (7 downs) with 16 base channels, batch 8,
# learning rate constant for the first half of the steps, then linear decay to 0. L1 only
# (options.lambda_gan=0): the discriminator is built but not updated (see the model cards for why).
# On a shared CPU, OMP_NUM_THREADS=1 per run was several times faster than torch's default threads.
COMMON=(--size 128 --batch 8 --seed 0
  --set generator.ngf=16 --set data.preprocess=crop --set data.num_workers=1
  --set schedule.per=step --set train.progress=false --set train.log_every=50
  --set train.sample_every=250 --set train.latest_every=100 --set train.ckpt_every=0)

for name in $ONLY; do
  case "$name" in
    colorize)
      "$PY" models/default/bundled_photos.py "$WORK/photos_natural" --set natural
      "$PY" -m translate train pix2pix --data "$WORK/photos_natural" --derive colorization --steps "${STEPS:-4000}" \
        --out "$WORK/colorize" "${COMMON[@]}" --set options.lambda_gan=0
      "$PY" models/default/to_fp16.py "$WORK/colorize" "$DEST/colorize.safetensors" --work-size 320
      ;;
    sketch)
      "$PY" models/default/bundled_photos.py "$WORK/photos_all" --set all
      "$PY" -m translate train pix2pix --data "$WORK/photos_all" --derive sketch --direction BtoA --steps "${STEPS:-4000}" \
        --out "$WORK/sketch" "${COMMON[@]}" --set options.lambda_gan=0
      "$PY" models/default/to_fp16.py "$WORK/sketch" "$DEST/sketch.safetensors" --work-size 320
      ;;
    *) echo "unknown default model: $name (known: colorize sketch)" >&2; exit 2 ;;
  esac
done
