"""The Gradio web demo: ``build_app(models) -> gr.Blocks`` (gradio is imported lazily, here only).

One page: a model menu (bundled defaults + given runs/files) with a line under it saying what the
selected model does and what to upload, the selected model's controls (built
per generator kind from ``translate.webapp.controls``), an image upload (file, drag-and-drop,
paste, webcam), the result as a lossless PNG with a before/after slider and a download, example
photos, a batch tab (several files -> gallery + zip) and the model card. Named API endpoints for
``gradio_client``: ``/translate``, ``/generate``, ``/batch``, ``/models``, ``/model_card``.
Requests go through a queue with a concurrency limit; a failed request shows its one-line reason
and the server keeps serving.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any, Callable, Sequence

from .. import zoo
from ..errors import TranslateError
from .cards import model_card, summary_line
from .catalogue import BUNDLED_FOLDER, Catalogue, ModelEntry
from .controls import CONTROLS, MAX_COUNT, control_states, kind_controls
from .handling import Limits, Outputs, clamp_work_size, generate, translate_batch, translate_one, upload_path
from .postprocess import post_for

log = logging.getLogger("translate.app")

TITLE = "gan-translate"
INTRO = (
    "Image-to-image translation with GANs. Pick a model, upload a photo (choose a file, drop one, paste "
    "from the clipboard or use the webcam) and press **Translate**. Results are lossless PNGs at your "
    "photo's size; the **Batch** tab takes several files at once and returns a zip."
)


def example_images() -> list[str]:
    """The bundled example photos (``models/default/examples/``)."""
    folder = zoo.models_dir() / BUNDLED_FOLDER / "examples"
    return [str(p) for p in sorted(folder.glob("*")) if p.suffix.lower() in (".png", ".jpg", ".jpeg")] if folder.is_dir() else []


def _guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Show user mistakes as their one-line message and any other failure as a short internal error."""
    import gradio as gr

    @functools.wraps(fn)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except TranslateError as exc:
            raise gr.Error(str(exc), print_exception=False) from None
        except Exception as exc:  # noqa: BLE001 - one request fails, the server keeps serving
            log.exception("request failed")
            raise gr.Error(f"internal error ({type(exc).__name__}: {exc}); the server keeps running", print_exception=False) from None

    return wrapped


def _control_updates(gr: Any, entry: ModelEntry) -> list[Any]:
    """One update per control in CONTROLS for ``entry``."""
    states = control_states(entry.info, entry.directions())
    out = []
    for name in CONTROLS:
        s = states[name]
        kw: dict[str, Any] = {"visible": s.visible, "value": s.value}
        if s.visible:
            kw["label"] = s.label
            if name in ("direction", "domain", "attributes"):
                kw["choices"] = s.choices
            if s.info:
                kw["info"] = s.info
        out.append(gr.update(**kw))
    return out


def build_app(
    models: Catalogue | Sequence[str] | None = None,
    *,
    limits: Limits | None = None,
    bundled: bool = True,
    device: str = "auto",
    concurrency: int = 2,
    queue_size: int = 64,
    examples: Sequence[str] | None = None,
    out_root: str | Path | None = None,
    preload: bool = True,
) -> Any:
    """The demo as a queued ``gr.Blocks`` serving ``models`` (paths or a Catalogue) plus the bundled ones."""
    cat = models if isinstance(models, Catalogue) else Catalogue.build(list(models or []), bundled=bundled, device=device)
    if preload:
        cat.preload()  # a bad model file fails here, before gradio is even imported
    import gradio as gr
    limits = limits or Limits()
    outputs = Outputs(out_root)
    first = cat.get(None)
    states = control_states(first.info, first.directions())
    needs_image = kind_controls(first.info).needs_image
    examples = list(example_images() if examples is None else examples)

    def values(direction: Any = None, domain: Any = None, attributes: Any = None, post: Any = None, seed: Any = None,
               count: Any = None, psi: Any = None) -> dict[str, Any]:
        return {"direction": direction, "domain": domain, "attributes": attributes, "post": post, "seed": seed, "count": count,
                "psi": psi}

    def post_update(entry: ModelEntry) -> dict[str, Any]:
        p = post_for(entry.info)
        return dict(visible=True, label=p.label, info=p.info, value=p.default) if p else dict(visible=False, value=True)

    def ctl(name: str, make: Callable[..., Any], **kw: Any) -> Any:
        s = states[name]
        if name in ("direction", "domain", "attributes"):
            kw.update(choices=s.choices, allow_custom_value=True)  # choices change per model; handlers validate
        return make(label=s.label or name, value=s.value, visible=s.visible, elem_id=name, info=s.info or None, **kw)

    with gr.Blocks(title=TITLE, analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
        gr.Markdown(f"# {TITLE}\n{INTRO}", elem_id="intro")
        model = gr.Dropdown(choices=cat.choices(), value=first.name, label="Model", elem_id="model")
        summary = gr.Markdown(summary_line(first, limits.clamp_work(first.work_size())), elem_id="model-summary")
        with gr.Tab("Translate", id="single", elem_id="tab-single"):
            with gr.Row():
                with gr.Column():
                    image = gr.Image(type="filepath", sources=["upload", "clipboard", "webcam"], label="Your photo",
                                        elem_id="input-image", visible=needs_image, format="png", height=360)
                    direction = ctl("direction", gr.Dropdown)
                    domain = ctl("domain", gr.Dropdown)
                    attributes = ctl("attributes", gr.Dropdown, multiselect=True)
                    seed = ctl("seed", gr.Number, precision=0, minimum=0)
                    count = ctl("count", gr.Slider, minimum=1, maximum=MAX_COUNT, step=1)
                    psi = ctl("psi", gr.Slider, minimum=0.0, maximum=1.0, step=0.05)
                    post = gr.Checkbox(elem_id="postprocess", **post_update(first))
                    work = gr.Slider(limits.min_work, limits.max_work, value=limits.clamp_work(first.work_size()), step=32,
                                     elem_id="work-size", label="Working size (longer side, px)", visible=needs_image,
                                     info="the model runs at this size; the result is resized back to your photo's size")
                    run = gr.Button("Translate", variant="primary", elem_id="run", visible=needs_image)
                    gen = gr.Button("Generate", variant="primary", elem_id="generate", visible=not needs_image)
                    with gr.Column(visible=needs_image and bool(examples), elem_id="examples-box") as examples_box:
                        if examples:
                            gr.Examples([[p] for p in examples], inputs=[image], label="Example photos (not in the training data)",
                                        elem_id="examples")
                with gr.Column():
                    result = gr.Image(type="pil", format="png", label="Result", elem_id="output-image", interactive=False,
                                      buttons=["download", "fullscreen"], visible=needs_image, height=360)
                    compare = gr.ImageSlider(type="pil", format="png", label="Before / after (drag)", elem_id="compare",
                                             interactive=False, visible=needs_image)
                    download = gr.File(label="Download PNG", elem_id="download", interactive=False, visible=needs_image)
                    samples = gr.Gallery(label="Samples", format="png", elem_id="samples", columns=4, visible=not needs_image,
                                         interactive=False)
        with gr.Tab("Batch", id="batch", elem_id="tab-batch"):
            files = gr.File(file_count="multiple", label=f"Photos (up to {limits.max_batch})", elem_id="batch-files")
            batch_run = gr.Button("Translate all", variant="primary", elem_id="batch-run")
            batch_notes = gr.Markdown(elem_id="batch-notes")
            batch_gallery = gr.Gallery(label="Results", format="png", elem_id="batch-gallery", columns=4, interactive=False)
            batch_zip = gr.File(label="All results (zip of PNGs)", elem_id="batch-zip", interactive=False)
        with gr.Tab("Model card", id="card", elem_id="tab-card"):
            card = gr.Markdown(model_card(first, limits), elem_id="model-card")

        conds = [direction, domain, attributes, post]

        # The handlers take raw payloads (preprocess=False): gradio still checks that files come from
        # its upload folder, but the project's loader, not gradio's, decodes and validates them.
        @_guard
        def do_translate(image: Any, model: str, direction: str | None = None, domain: str | None = None,
                         attributes: list[str] | None = None, post: bool | None = None, work: float = 0) -> tuple[Any, Any, str]:
            """Translate one image with the chosen model; returns the result, (before, after) and the PNG file."""
            out = outputs.new()
            r = translate_one(cat.get(model), upload_path(image, out), values(direction, domain, attributes, post), work, limits, out)
            return r.after, (r.before, r.after), str(r.png)

        @_guard
        def do_generate(model: str, seed: float = 0, count: float = 4, psi: float = 1.0) -> list[str]:
            """Sample an unconditional model; returns the PNG files."""
            return [str(p) for p in generate(cat.get(model), values(seed=seed, count=count, psi=psi), outputs.new())]

        @_guard
        def do_batch(files: Any, model: str, direction: str | None = None, domain: str | None = None,
                     attributes: list[str] | None = None, post: bool | None = None,
                     work: float = 0) -> tuple[list[tuple[str, str]], str, str]:
            """Translate several files; returns (PNG, name) pairs, a zip of the PNGs and notes on skipped files."""
            out = outputs.new()
            paths = [upload_path(f, out) for f in (files if isinstance(files, list) else [files] if files else [])]
            vals = values(direction, domain, attributes, post)
            done, archive, errors = translate_batch(cat.get(model), paths, vals, work, limits, out)
            for e in errors:
                gr.Warning(e)
            notes = f"{len(done)} image(s) translated." + ("".join(f"\n- skipped {e}" for e in errors) if errors else "")
            return [(str(p), name) for p, name in done], str(archive), notes

        controls = [direction, domain, attributes, seed, count, psi]  # in CONTROLS order
        image_side = [image, run, result, compare, download] + ([examples_box] if examples else [])

        @_guard
        def on_model(model: str) -> dict[Any, Any]:
            """Show the selected model's one-line summary, controls, working size, card and input/output panels."""
            entry = cat.get(model)
            img = kind_controls(entry.info).needs_image
            ups: dict[Any, Any] = dict(zip(controls, _control_updates(gr, entry)))
            ups.update({c: gr.update(visible=img) for c in image_side})
            work_px = limits.clamp_work(entry.work_size())
            ups.update({gen: gr.update(visible=not img), samples: gr.update(visible=not img), card: model_card(entry, limits),
                        summary: summary_line(entry, work_px), work: gr.update(visible=img, value=work_px),
                        post: gr.update(**post_update(entry))})
            return ups

        model.change(on_model, [model], [*controls, *image_side, work, gen, samples, card, summary, post], api_visibility="private",
                     queue=False)

        @_guard
        def on_work(model: str, work_px: float) -> str:
            """Rewrite the summary line for the working size the slider now shows."""
            entry = cat.get(model)
            return summary_line(entry, clamp_work_size(entry, work_px, limits))

        work.change(on_work, [model, work], [summary], api_visibility="private", queue=False)
        run.click(do_translate, [image, model, *conds, work], [result, compare, download], api_name="translate", preprocess=False)
        gen.click(do_generate, [model, seed, count, psi], [samples], api_name="generate", preprocess=False)
        batch_run.click(do_batch, [files, model, *conds, work], [batch_gallery, batch_zip, batch_notes], api_name="batch",
                        preprocess=False)

        def models_list() -> list[str]:
            """Names of the served models (the first is the default)."""
            return cat.names()

        @_guard
        def card_of(model: str) -> str:
            """The model card (markdown) of a served model."""
            return model_card(cat.get(model), limits)

        gr.api(models_list, api_name="models")
        gr.api(card_of, api_name="model_card")
    demo.queue(default_concurrency_limit=concurrency, max_size=queue_size)
    demo.translate_limits = limits  # read by launch_app
    return demo


def launch_app(demo: Any, *, host: str = "127.0.0.1", port: int = 7860, limits: Limits | None = None, **kwargs: Any) -> Any:
    """Serve ``demo`` with the upload size limit; blocks unless ``prevent_thread_lock=True``."""
    limits = limits or getattr(demo, "translate_limits", None) or Limits()
    return demo.launch(server_name=host, server_port=port, max_file_size=int(limits.max_file_mb * 1e6), show_error=True,
                       footer_links=["api", "gradio"], **kwargs)
