"""Human-readable printing of info, bench and evaluation results (rich tables)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

_console = Console()


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.4g}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    return str(v)


def _net_table(title: str, nets: dict[str, dict[str, Any]]) -> Table:
    t = Table(title=title, show_lines=False)
    keys = ["arch", "style", "params", "stored_values", "kind", "input_multiple", "receptive_field", "in_channels", "direction", "domains"]
    present = [k for k in keys if any(k in n and n[k] not in (None, "", []) for n in nets.values())]
    t.add_column("net")
    for k in present:
        t.add_column(k, justify="right" if k in ("params", "stored_values", "input_multiple", "receptive_field") else "left")
    for name, n in nets.items():
        t.add_row(name, *[_fmt(n.get(k, "")) for k in present])
    return t


def print_info(d: dict[str, Any]) -> None:
    """Print what ``describe`` returned."""
    kind = d.get("type")
    if kind == "task":
        _console.print(f"[bold]{d['task']}[/bold] (recipe {d['recipe']}, {d['size']} px)")
        _console.print(_net_table("generators", d["generators"]))
        if d["discriminators"]:
            _console.print(_net_table("discriminators", d["discriminators"]))
        _console.print(f"phases: {d['phases']}")
        _console.print(f"gan: {d['gan']}  optim: {d['optim']}  train: {d['train']}  options: {d['options']}")
    elif kind == "model":
        _console.print(f"[bold]{d['path']}[/bold]: task {d['task']}, step {d.get('step')}, EMA {d.get('ema')}")
        _console.print(_net_table("generators", d["generators"]))
        _console.print(f"format: {d.get('format')}")
        if d.get("inputs"):
            _console.print("graph inputs: " + ", ".join(f"{i['name']} {i['dtype']} {i['shape']}" for i in d["inputs"]))
        _console.print(f"inputs: {d.get('normalization')}")
        if d.get("note"):
            _console.print(f"note: {escape(d['note'])}")  # the note names the [full] extra: no markup
    else:
        for k, v in d.items():
            _console.print(f"{k}: {_fmt(v)}")


def print_bench(d: dict[str, Any]) -> None:
    t = Table(title=f"bench {d.get('bench')}")
    t.add_column("metric")
    t.add_column("value", justify="right")
    for k, v in d.items():
        t.add_row(k, _fmt(v))
    _console.print(t)


def print_table(d: dict[str, Any]) -> None:
    """Rows of ``{name: {metric: value}}`` (plus scalar extras)."""
    rows = {k: v for k, v in d.items() if isinstance(v, dict)}
    cols = sorted({c for r in rows.values() for c in r})
    t = Table()
    t.add_column("")
    for c in cols:
        t.add_column(c, justify="right")
    for name, r in rows.items():
        t.add_row(name, *[_fmt(r.get(c, "")) for c in cols])
    _console.print(t)
    for k, v in d.items():
        if not isinstance(v, dict):
            _console.print(f"{k}: {_fmt(v)}")


def print_duplicates(d: dict[str, Any]) -> None:
    """The human-readable summary of :func:`duplicates`."""
    what = d.get("model") or d.get("folder")
    est = d["support_estimate"]
    bound = ">= " if d["lower_bound"] else "~ "
    s50 = d["s50"] if d["s50"] is not None else f"none up to {d['n_images']}"
    print(f"{what}: {d['n_images']} images, threshold {d['threshold']:.4f} ({d['threshold_source']})")
    print(f"  near-duplicate pairs: {d['n_duplicate_pairs']}; batch size with P(dup) >= 0.5: {s50}")
    print(f"  support estimate (s50^2): {bound}{est:,}  (uniform model s50^2 / 2 ln 2: {d['support_uniform_model']:,.0f})")
    if d.get("pairs_png"):
        print(f"  closest pairs: {d['pairs_png']}")


def print_samples(d: dict[str, Any]) -> None:
    """The human-readable summary of :func:`evaluate_samples`: provenance line, then one row per value
    (translation models: one row per direction / target domain and value)."""
    what = d.get("model") or d.get("folder")
    where = f"{d['real']} ({d['layout']} layout, split {d['split']})" if "comparisons" in d else d["real"]
    print(f"{what} vs {where}: extractor {d['extractor']} ({d['feature_dim']} features), resize {d['resize']}, "
          f"{d['num_real']} real{' (cached)' if d['real_features_cached'] else ''} / {d['num_fake']} fake samples")
    groups = d.get("comparisons") or {"": d}
    t = Table(*(["target"] if "comparisons" in d else []), "metric", "value", "seconds")
    for target, g in groups.items():
        for name, r in g["metrics"].items():
            vals = ", ".join(f"{k} {_fmt(v)}" for k, v in r.items() if k not in ("metric", "seconds"))
            first = [f"{target} ({g['num_fake']} fake / {g['num_real']} real)"] if "comparisons" in d else []
            t.add_row(*first, name, vals, _fmt(r["seconds"]))
    _console.print(t)
