"""``translate bench ...``."""

from __future__ import annotations

from typing import List, Optional

import typer

from ..errors import ConfigError
from .common import COMPILE_HELP, bench_app, print_json_or

_BASELINE_HELP = ("eager: also run the plain reference-style loop on the same nets, interleaved with ours (A,B,A,B...); "
                  "prints both medians, min-max, the ratio and peak RSS.")


def print_comparison(d: dict) -> None:
    """Two lines per comparison: both medians with min-max, the ratio and peak RSS."""
    b, o, r = d["baseline_s"], d["ours_s"], d["ratio"]
    what = " ".join(f"{k} {d[k]}" for k in ("task", "arch", "backend", "compile", "size", "batch", "images") if d.get(k))
    typer.echo(f"bench {d['bench']} {what}: {d['reps']} interleaved reps, {d['threads']} threads")
    typer.echo(f"  eager baseline {b['median']:.4g} s ({b['min']:.4g}-{b['max']:.4g}), peak RSS {d['baseline_peak_rss_mib']:.0f} MiB")
    typer.echo(f"  ours           {o['median']:.4g} s ({o['min']:.4g}-{o['max']:.4g}), peak RSS {d['ours_peak_rss_mib']:.0f} MiB")
    typer.echo(f"  ratio baseline/ours {r['median']:.3g}x ({r['min']:.3g}-{r['max']:.3g}); > 1: ours is faster")
    if "ours_first_call_s" in d:
        typer.echo(f"  first call (out of the figures above): eager {d['baseline_first_call_s']:.3g} s, "
                   f"ours {d['ours_first_call_s']:.3g} s")


@bench_app.command("train")
def bench_train_cmd(
    task: str = typer.Argument(..., help="Task to benchmark."),
    size: int = typer.Option(256, "--size"), batch: int = typer.Option(1, "--batch"),
    steps: int = typer.Option(10, "--steps", help="Timed steps (after 2 warm-up steps)."),
    device: str = typer.Option("auto", "--device"), amp: bool = typer.Option(False, "--amp"),
    set_: List[str] = typer.Option([], "--set", help="Config overrides (with --baseline: of the optimised path only)."),
    baseline: Optional[str] = typer.Option(None, "--baseline", help=_BASELINE_HELP),
    reps: int = typer.Option(5, "--reps", help="--baseline: interleaved repetitions of each path (each --steps steps)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Training-step throughput on synthetic data: it/s, images/s, peak memory, GFLOP/s.

    With --baseline eager (pix2pix, cyclegan; CPU): the engine and the reference-style plain step
    (translate/evaluation/bench_baseline.py) on the same initial weights and batches, interleaved.

      translate bench train pix2pix --size 256 --batch 1

      translate bench train cyclegan --size 128 --baseline eager --reps 5 --steps 1
    """
    from .report import print_bench

    if baseline is not None:
        from ..evaluation.bench_compare import check_baseline, compare_train

        check_baseline(baseline, device, amp)
        print_json_or(compare_train(task, size, batch, reps, steps, list(set_)), as_json, print_comparison)
        return
    from ..evaluation.bench import bench_train

    print_json_or(bench_train(task, size, batch, steps, device=device, amp=amp, overrides=list(set_)), as_json, print_bench)


@bench_app.command("predict")
def bench_predict_cmd(
    model: str = typer.Argument(..., help="Model file or run folder."),
    size: int = typer.Option(256, "--size"), batch: int = typer.Option(1, "--batch"),
    iters: int = typer.Option(10, "--iters"), backend: str = typer.Option("torch", "--backend", help="torch | onnx."),
    device: str = typer.Option("auto", "--device"),
    baseline: Optional[str] = typer.Option(None, "--baseline", help=_BASELINE_HELP),
    reps: int = typer.Option(5, "--reps", help="--baseline: interleaved repetitions of each path (each --iters runs)."),
    folder: Optional[str] = typer.Option(None, "--folder", help="--baseline: translate this folder of images end to end "
                                                                "(load, run, save) instead of random arrays."),
    split_aligned: Optional[str] = typer.Option(None, "--split-aligned",
                                                help="--folder holds A|B pairs: translate this half (left | right) of each."),
    compile_: bool = typer.Option(False, "--compile", help=COMPILE_HELP + " The first call is reported apart."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Inference latency and images/s of a generator.

    With --baseline eager (CPU): plain net(x) under no_grad (or, with --folder, a per-image
    load/run/save loop) and translate's --backend path, interleaved.

      translate bench predict runs/pix2pix-1 --size 256 --batch 8 --backend onnx

      translate bench predict g.safetensors --backend onnx --baseline eager --iters 3 --reps 7

      translate bench predict g.safetensors --baseline eager --folder photos/ --batch 8 --reps 3

      translate bench predict g.safetensors --baseline eager --compile --reps 7

      translate bench predict g.safetensors --baseline eager --folder silhouettes/train --split-aligned left --batch 8
    """
    from .report import print_bench

    if baseline is not None:
        from ..evaluation.bench_compare import check_baseline, compare_predict, compare_predict_folder

        check_baseline(baseline, device)
        mode = "default" if compile_ else None
        if split_aligned and not folder:
            raise ConfigError("--split-aligned: only with --folder")
        res = (compare_predict_folder(model, folder, reps, backend, batch, compile=mode, split=split_aligned) if folder
               else compare_predict(model, size, batch, reps, backend, iters, compile=mode))
        print_json_or(res, as_json, print_comparison)
        return
    if folder or split_aligned:
        raise ConfigError("--folder/--split-aligned: only with --baseline eager")
    from ..evaluation.bench import bench_predict

    print_json_or(bench_predict(model, size, batch, iters, device=device, backend=backend,
                                compile="default" if compile_ else None), as_json, print_bench)


@bench_app.command("toy")
def bench_toy_cmd(
    loss: Optional[str] = typer.Option(None, "--loss", help="A gan.loss name, or 'all' for every registered objective."),
    all_: bool = typer.Option(False, "--all", help="Every registered objective (as --loss all)."),
    steps: int = typer.Option(3000, "--steps", help="G updates."),
    unrolled: int = typer.Option(0, "--unrolled", help="Look-ahead D steps for the G update (0 = off)."),
    grid: bool = typer.Option(False, "--grid", help="5x5 grid of Gaussians instead of the 8-mode ring."),
    spectral_norm: bool = typer.Option(False, "--spectral-norm", help="Spectral normalisation on D."),
    penalty: Optional[str] = typer.Option(None, "--penalty", help="Override the objective's penalty (gp, dragan, r1, r2, r1r2, none)."),
    shared_settings: bool = typer.Option(False, "--shared-settings",
                                         help="The old shared table (Adam 1e-3 for all) instead of each objective's own settings."),
    seed: int = typer.Option(0, "--seed"),
    jobs: int = typer.Option(1, "--jobs", help="Runs at a time (each in its own process on one thread)."),
    out: Optional[str] = typer.Option(None, "--out", help="Scatter plot PNG (with several objectives: a folder of PNGs)."),
    write_doc: Optional[str] = typer.Option(None, "--write-doc",
                                            help="With --all: run own and shared settings, rewrite this doc's toy table "
                                                 "(docs/objectives.md) and its toy_results.json."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """2-D mixture of Gaussians with small MLPs: modes covered, high-quality share, precision/recall (k=3), scatter plot.

    Each objective trains at its own recommended settings (translate/core/objective_settings.py). Runs are
    deterministic for a seed: one thread, deterministic algorithms, MKL/ATen kernels pinned to AVX2 in a
    fresh process (translate/evaluation/toy_runner.py), so any x86-64 CPU with AVX2 gives the same figures.

      translate bench toy --loss wgan-gp --steps 3000 --out ring.png

      translate bench toy --all --unrolled 5 --json

      translate bench toy --all --write-doc docs/objectives.md --jobs 2
    """
    from pathlib import Path

    from ..core.losses import objective_names
    from ..errors import ConfigError
    from ..evaluation.toy_runner import run_toys
    from .report import print_table

    if all_:
        loss = "all"
    if loss is None:
        raise ConfigError("bench toy: give --loss NAME or --all")
    names = objective_names() if loss == "all" else [loss]
    if write_doc:
        from ..evaluation.toy_doc import collect, doc_jobs
        from ..evaluation.toy_doc import write_doc as write

        if loss != "all" or unrolled or grid or spectral_norm or penalty or shared_settings:
            raise ConfigError("bench toy --write-doc: the doc table is --all at default options (only --steps, --seed, --jobs)")
        todo = doc_jobs(names, steps, seed, write_doc)
        data = collect(todo, run_toys(todo, jobs))
        typer.echo(f"wrote {write(write_doc, data)}")
        return
    extra = {"unrolled": unrolled, "grid": grid, "spectral_norm": spectral_norm, "penalty": penalty, "seed": seed, "steps": steps,
             "shared_settings": shared_settings}
    todo = []
    for name in names:
        png = (str(Path(out) / f"{name}.png") if len(names) > 1 else out) if out else None
        if png and len(names) > 1:
            Path(out).mkdir(parents=True, exist_ok=True)
        todo.append({"loss": name, "out_png": png, **extra})
    rows = {}
    for name, r in zip(names, run_toys(todo, jobs)):
        rows[name] = {k: r[k] for k in ("modes_covered", "n_modes", "high_quality", "precision", "recall", "seconds",
                                         "diverged_at") if k in r}
    if as_json or len(names) > 1:
        print_json_or(rows, as_json, print_table)
    else:
        print_json_or(rows[names[0]], False, lambda d: print_table({names[0]: d}))


@bench_app.command("eval")
def bench_eval_cmd(
    num: int = typer.Option(10000, "--num", help="Images per side (real and fake)."),
    size: int = typer.Option(32, "--size", help="Image side in px."),
    features: str = typer.Option("pixels", "--features", help="pixels | classifier | inception."),
    classifier_data: str = typer.Option("", "--classifier-data", help="classifier: real training images, one subfolder per class."),
    weights: str = typer.Option("", "--weights", help="inception: the FID Inception-v3 weights file."),
    seed: int = typer.Option(0, "--seed"),
    scaling: str = typer.Option("", "--scaling", help="Comma list of N: one fresh process each, peak RSS per N (memory growth)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Cost of the sample metrics: features for 2 x N synthetic images and every metric in one call.

      translate bench eval --num 10000 --size 32 --features classifier --classifier-data data/digits/train

      translate bench eval --scaling 5000,10000,20000 --features classifier --classifier-data data/digits/train
    """
    from ..evaluation.bench_metrics import bench_eval, bench_scaling

    if scaling:
        try:
            nums = [int(n) for n in scaling.split(",") if n.strip()]
        except ValueError:
            raise ConfigError(f"--scaling {scaling!r}: expected a comma list of sample counts, e.g. 5000,10000,20000") from None

        def table(d: dict) -> None:
            typer.echo(f"{d['extractor']} ({d['feature_dim']} features); peak RSS in MiB, each N in a fresh process")
            typer.echo(f"{'N':>7s} {'features s':>10s} {'metrics s':>9s} {'setup':>7s} {'features':>8s} {'peak':>7s} "
                       f"{'dense (2N)^2 f32':>16s}")
            for r in d["rows"]:
                typer.echo(f"{r['num']:7d} {r['features_seconds']:10.1f} {r['metrics_seconds']:9.1f} {r['setup_rss_mib']:7.0f} "
                           f"{r['features_rss_mib']:8.0f} {r['peak_rss_mib']:7.0f} {r['dense_1nn_matrix_mib']:16.0f}")

        opts = dict(size=size, features=features, classifier_data=classifier_data, weights=weights, seed=seed)
        print_json_or(bench_scaling(nums, **opts), as_json, table)
        return

    def human(d: dict) -> None:
        typer.echo(f"{d['extractor']} ({d['feature_dim']} features, {d['resize']}), {d['num_real']} + {d['num_fake']} images: "
                   f"features {d['features_seconds']} s, all metrics {d['metrics_seconds']} s, peak RSS {d['peak_rss_mib']} MiB")
        typer.echo("  " + ", ".join(f"{k} {v} s" for k, v in d["per_metric_seconds"].items()))

    print_json_or(bench_eval(num, size, features, classifier_data, weights, seed), as_json, human)
