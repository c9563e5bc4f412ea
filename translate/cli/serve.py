"""``translate app``: serve the Gradio web demo (the demo itself: ``translate/webapp/app.py``)."""

from __future__ import annotations

from typing import List

import typer

from ..errors import ConfigError
from .common import app


@app.command("app")
def app_cmd(
    models: List[str] = typer.Argument(None, help="Run folders, generator .safetensors or .onnx files (default: the bundled models)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (0.0.0.0: every interface)."),
    port: int = typer.Option(7860, "--port", help="TCP port."),
    bundled: bool = typer.Option(True, "--bundled/--no-bundled", help="Also list the bundled default models."),
    backend: str = typer.Option("auto", "--backend", help="auto (ONNX when an export exists, else torch) | torch."),
    device: str = typer.Option("auto", "--device", help="auto | cpu | cuda (torch backend)."),
    concurrency: int = typer.Option(2, "--concurrency", help="Requests processed at the same time (the rest queue)."),
    queue_size: int = typer.Option(64, "--queue-size", help="Requests that may wait; more are refused with a message."),
    max_pixels: int = typer.Option(24_000_000, "--max-pixels", help="Largest upload in pixels (width x height)."),
    max_file_mb: float = typer.Option(25.0, "--max-file-mb", help="Largest upload in MB."),
    max_batch: int = typer.Option(16, "--max-batch", help="Most files in one batch request."),
) -> None:
    """Serve the web demo (upload, before/after, PNG download, batch + zip, model cards, API). Examples:

      translate app                                   (the bundled default models, http://127.0.0.1:7860)

      translate app runs/p2p export/model.onnx --port 8080

      translate app runs/p2p --no-bundled --host 0.0.0.0 --concurrency 4
    """
    from ..webapp.app import build_app, launch_app
    from ..webapp.catalogue import Catalogue
    from ..webapp.handling import Limits

    if backend not in ("auto", "torch"):
        raise ConfigError(f"--backend {backend}: choose auto or torch")
    if not 0 < port < 65536:
        raise ConfigError(f"--port {port}: choose 1-65535")
    if concurrency < 1 or queue_size < 1 or max_pixels < 1 or max_file_mb <= 0 or max_batch < 1:
        raise ConfigError("--concurrency, --queue-size, --max-pixels, --max-file-mb and --max-batch must be positive")
    limits = Limits(max_pixels=max_pixels, max_file_mb=max_file_mb, max_batch=max_batch)
    cat = Catalogue.build(list(models or []), bundled=bundled, device=device, prefer_onnx=backend == "auto")
    demo = build_app(cat, limits=limits, concurrency=concurrency, queue_size=queue_size)
    typer.echo(f"serving {', '.join(cat.names())} at http://{host}:{port}")
    launch_app(demo, host=host, port=port, limits=limits)
