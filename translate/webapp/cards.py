"""Model cards for the web demo: facts read off the model file, plus the card written beside it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..checkpoint import read_metadata
from .backend import generator_file
from .catalogue import ModelEntry
from .handling import Limits
from .postprocess import post_for

TASKS = {
    "pix2pix": "pix2pix: paired image-to-image translation",
    "cyclegan": "CycleGAN: unpaired translation between two domains (cycle consistency)",
    "stargan": "StarGAN: one generator for several domains or attributes",
    "dcgan": "DCGAN: unconditional image generation",
    "stylegan": "StyleGAN2-style unconditional image generation",
    "reference": "a reference-repository generator",
}
DERIVED = {"colorization": "grayscale photo", "edges": "edge map", "sketch": "pencil sketch", "blur": "blurred photo"}


def mapping(info: Any) -> tuple[str, str]:
    """What the model takes and what it makes, e.g. ``("grayscale photo", "colour photo")``."""
    if info.derive in DERIVED:
        a, b = DERIVED[info.derive], "photo" if info.derive != "colorization" else "colour photo"
        return (b, a) if info.direction == "BtoA" else (a, b)
    if info.kind == "latent":
        return "random seed", "image"
    if info.kind == "image+domain":
        return "image", f"image in a chosen domain ({', '.join(info.domains)})"
    if info.direction in ("AtoB", "BtoA"):
        return f"domain {info.direction[0]}", f"domain {info.direction[-1]}"
    return "image", "image"


def what_it_does(info: Any) -> str:
    """One phrase for the mapping, e.g. ``grayscale photo -> colour photo``."""
    return " -> ".join(mapping(info))


def _a(noun: str) -> str:
    """``noun`` with its indefinite article; a domain letter becomes "an image of domain A"."""
    if noun.startswith("domain "):
        return f"an image of {noun}"
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


# what to upload where it is not the model's own input, by derived-pair kind (runtime.processing.prepare_image)
INPUTS = {"colorization": "photo in colour or grayscale, which is made grayscale first"}


def summary_line(entry: ModelEntry, work: int | None = None) -> str:
    """One line for the Translate tab: what the selected model does and what input it expects, e.g.
    ``Turns a photo into a pencil sketch. Input: a photo (any size; processed at 320 px on the longer side).``"""
    info = entry.info
    if info.kind == "latent":
        return "Generates new images from a random seed. Input: none; pick a seed and how many images."
    src, dst = mapping(info)
    directions = entry.directions()
    if len(directions) > 1:
        does = "Translates between domain A and domain B, in the direction you pick."
        src = "domain A or domain B"
    else:
        does = f"Turns {_a(src)} into {_a(dst)}."
    src = INPUTS.get(info.derive, src)
    return f"{does} Input: {_a(src)} (any size; processed at {work or entry.work_size()} px on the longer side)."


def style_note(info: Any) -> str:
    """``, style adain`` for a StyleGAN generator built with a ``style`` option, else empty."""
    options = info.fact("options") or {}
    return f", style {options['style']}" if isinstance(options, dict) and options.get("style") else ""


def training_facts(entry: ModelEntry) -> dict[str, Any]:
    """Step, data and size facts from the file's metadata (empty for files without them)."""
    gen = generator_file(entry.path)
    if gen.suffix.lower() != ".safetensors":
        return {}

    meta = read_metadata(gen)
    try:
        cfg = yaml.safe_load(meta.get("config") or "") or {}
    except yaml.YAMLError:
        cfg = {}
    data, train = cfg.get("data", {}) or {}, cfg.get("train", {}) or {}
    net = (meta.get("nets") or {}).get(meta.get("default", ""), {})
    return {"step": meta.get("step"), "data": data.get("root", ""), "layout": data.get("layout", ""),
            "batch": train.get("batch_size"), "crop": data.get("crop_size"), "objective": objective(cfg),
            "stage": net.get("resolution")}  # a mid-schedule progressive file: the resolution it was saved at


def size_words(t: dict[str, Any]) -> str:
    """The training size in words: ``128 px crops``, or a progressive file's stage and final size."""
    if t.get("stage") and t["stage"] != t.get("crop"):
        return f"saved at the {t['stage']} px stage of a schedule growing to {t['crop']} px"
    return f"{t['crop']} px crops"


def objective(cfg: dict[str, Any]) -> str:
    """The training objective in words, from a run config (e.g. ``vanilla GAN + 100 x L1``, ``L1 only``)."""
    gan = (cfg.get("gan", {}) or {}).get("loss", "")
    opts = cfg.get("options", {}) or {}
    if cfg.get("task") == "pix2pix":
        l1, adv = opts.get("lambda_l1", 100.0), opts.get("lambda_gan", 1.0)
        return "L1 only (lambda_gan 0, no discriminator updates)" if not adv else f"{gan} GAN + {l1:g} x L1"
    return f"{gan} GAN" if gan else ""


def facts_table(entry: ModelEntry, limits: Limits, work: int | None = None) -> str:
    """The card's fact table in markdown."""
    tr = entry.translator()
    info = tr.info
    n = tr.num_params  # torch: counted; ONNX: recorded by translate export (older exports: n/a)
    work = work or entry.work_size()
    rows = [
        ("Task", TASKS.get(info.task, info.task or "?")),
        ("Does", what_it_does(info)),
        ("Generator", f"{info.arch} ({info.net}, kind {info.kind}{style_note(info)})"),
        ("Parameters", f"{n:,}" if n else "n/a"),
        ("Backend", tr.backend.name),
    ]
    t = training_facts(entry)
    if t.get("step") is not None:
        data = Path(str(t["data"])).name or "?"
        rows.append(("Trained", f"{t['step']} steps, batch {t['batch']}, {size_words(t)}, data folder `{data}`"))
        if t["objective"]:
            rows.append(("Objective", t["objective"]))
    post = post_for(info)
    if post:
        rows.append(("Post-processing", f"optional, {'on' if post.default else 'off'} by default: {post.label.lower()} ({post.info})"))
    if info.kind != "latent":
        rows.append(("Input size", f"any size and aspect; processed with the longer side at {work} px (padded to a multiple of "
                                   f"{info.input_multiple}), output resized back to the upload's size"))
        rows.append(("Uploads", f"PNG, JPEG, WebP, BMP, TIFF, GIF; up to {limits.max_file_mb:g} MB and "
                                f"{limits.max_pixels / 1e6:g} megapixels; transparency is flattened on white"))
    body = "\n".join(f"| {k} | {v} |" for k, v in rows)
    return f"| | |\n|---|---|\n{body}"


def model_card(entry: ModelEntry, limits: Limits) -> str:
    """Markdown: the card written beside the model (if any), then the facts read off the file."""
    table = facts_table(entry, limits)
    if entry.card.strip():
        return f"{entry.card.strip()}\n\n### From the model file ({entry.label})\n\n{table}"
    return f"### {entry.label}\n\n{table}"
