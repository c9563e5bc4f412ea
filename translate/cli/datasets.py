"""``translate datasets ...``: list and download recipes, check folders, export bundled digits."""

from __future__ import annotations

from typing import Optional

import typer

from ..errors import InputError
from .common import app, print_json_or

datasets_app = typer.Typer(help="Dataset recipes, downloads, folder checks.", no_args_is_help=True)
app.add_typer(datasets_app, name="datasets")


@datasets_app.command("list")
def list_cmd(as_json: bool = typer.Option(False, "--json")) -> None:
    """Known dataset recipes (pix2pix and CycleGAN sets) with their sources."""
    from ..data.download import RECIPES

    rows = {n: {"url": RECIPES.get(n).url or "(manual)", "layout": RECIPES.get(n).layout} for n in RECIPES.names()}

    def human(d: dict) -> None:
        for name, r in d.items():
            typer.echo(f"{name:28s} {r['layout']:10s} {r['url']}")

    print_json_or(rows, as_json, human)


@datasets_app.command("download")
def download_cmd(
    name: str = typer.Argument(..., help="Recipe name (translate datasets list)."),
    root: str = typer.Option("datasets/data", "--root", help="Where datasets are unpacked."),
    url: Optional[str] = typer.Option(None, "--url", help="Override the recipe's URL (mirrors)."),
    no_verify: bool = typer.Option(False, "--no-verify", help="Skip the checksum check."),
    force: bool = typer.Option(False, "--force", help="Download again even if present."),
) -> None:
    """Download and unpack a dataset, verifying its checksum.

      translate datasets download facades        translate datasets download horse2zebra --root /data
    """
    from ..data.download import download

    path = download(name, root, url=url, verify=not no_verify, force=force)
    typer.echo(f"ready: {path}")


@datasets_app.command("check")
def check_cmd(
    root: str = typer.Argument(..., help="Data folder."),
    layout: str = typer.Option("auto", "--layout"),
    quick: bool = typer.Option(False, "--quick", help="Headers only (no full decode)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Decode every image and report unreadable, truncated, oversized or mismatched files.

      translate datasets check datasets/data/facades
    """
    from ..data.checks import scan_folder

    report = scan_folder(root, layout=layout, full=not quick)
    print_json_or(report.to_dict(), as_json, lambda d: typer.echo(report.summary()))
    if not report.ok:
        raise InputError(f"{root}: problems found (listed above)")


@datasets_app.command("digits")
def digits_cmd(
    out: str = typer.Argument(..., help="Output folder."),
    layout: str = typer.Option("domains", "--layout", help="single | domains | attributes."),
    size: int = typer.Option(32, "--size", help="Upsampled size in px."),
) -> None:
    """Write scikit-learn's bundled digits (1,797 images, no download) as an image folder.

      translate datasets digits data/digits --layout domains     (StarGAN: 10 domains)
    """
    from ..data.digits import export

    typer.echo(f"wrote {export(out, layout, size)}")
