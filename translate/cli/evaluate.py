"""``translate eval ...``."""

from __future__ import annotations

from typing import List, Optional

import typer

from .common import eval_app, print_json_or


@eval_app.command("paired")
def eval_paired_cmd(
    models: List[str] = typer.Argument(..., help="Models to compare: run folders, generator files, .onnx, reference .pth (--arch)."),
    data: str = typer.Option(..., "--data", help="Paired data folder."),
    split: str = typer.Option("val", "--split"),
    size: Optional[int] = typer.Option(None, "--size", help="Evaluation size (default: each model's training crop, else 256)."),
    arch: Optional[str] = typer.Option(None, "--arch", help="Architecture of reference .pth/.ckpt models (unet_256, ...)."),
    arch_opt: List[str] = typer.Option([], "--arch-opt", help="Option of the reference architecture: --arch-opt norm=instance."),
    metrics: str = typer.Option("", "--metrics", help="Distribution metrics of the outputs vs the real targets: "
                                "kid,fid,pr (any sample metric of `translate eval samples`)."),
    features: str = typer.Option("pixels", "--features", help="Their feature extractor: pixels | classifier | inception."),
    feature_size: int = typer.Option(0, "--feature-size", help="pixels/classifier: extractor side in px (default 32)."),
    per_image: bool = typer.Option(False, "--per-image", help="With --json: every image's L1/PSNR/SSIM under per_image."),
    seed: int = typer.Option(0, "--seed", help="Seed of the KID subsets."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """L1, PSNR and SSIM of translations against targets, with the identity baseline.

      SSIM: Gaussian window 11 (sigma 1.5), the map's 5 px border left out of the mean (as scikit-image).
      --metrics kid,fid,pr compares the set of outputs with the set of real targets (pixels features by
      default); with a few dozen images FID is noisy, KID is the one to read.

      translate eval paired runs/p2p runs/p2p-l1only --data ../shared/data/silhouettes --split val

      translate eval paired runs/p2p --data ../shared/data/silhouettes --split val --metrics kid,fid,pr --per-image --json

      translate eval paired p2p.onnx --data pairs/        translate eval paired latest_net_G.pth --arch unet_256 --data pairs/
    """
    from ..evaluation.metrics import calc_metric
    from ..inference.predict import parse_arch_options
    from .report import print_table

    names = tuple(m.strip() for m in metrics.split(",") if m.strip())
    result = calc_metric("paired", models=models, data=data, split=split, size=size, arch=arch,
                         arch_options=parse_arch_options(arch_opt), metrics=names, features=features,
                         feature_size=feature_size, per_image=per_image and as_json, seed=seed)
    print_json_or(result, as_json, print_table)


@eval_app.command("cycle")
def eval_cycle_cmd(
    model: str = typer.Argument(..., help="CycleGAN run folder or generator file."),
    data: str = typer.Option(..., "--data", help="Unpaired data folder (<split>A/ and <split>B/)."),
    split: str = typer.Option("test", "--split"),
    size: Optional[int] = typer.Option(None, "--size", help="Evaluation size (default: the model's training crop)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Cycle-reconstruction L1 (A->B->A, B->A->B) and translation change, with the identity baseline.

      translate eval cycle runs/cyclegan --data ../shared/data/silhouettes_unpaired --split test
    """
    from ..evaluation.metrics import calc_metric
    from .report import print_table

    print_json_or(calc_metric("cycle", model=model, data=data, split=split, size=size), as_json, print_table)


@eval_app.command("domain-accuracy")
def eval_domain_accuracy_cmd(
    model: str = typer.Argument(..., help="StarGAN or CycleGAN run folder / generator file."),
    data: str = typer.Option(..., "--data", help="Domains (DIR/train/<domain>/), attribute-table or unpaired (trainA/testA) folder."),
    train_split: str = typer.Option("train", "--train-split", help="Split the classifier learns from."),
    split: str = typer.Option("test", "--split", help="Split evaluated (real and translated)."),
    size: int = typer.Option(0, "--size", help="Image size (default: the model's training crop)."),
    epochs: int = typer.Option(15, "--epochs", help="Classifier training epochs (part of the cache key)."),
    max_train: int = typer.Option(20000, "--max-train", help="At most N training images for the classifier."),
    max_test: int = typer.Option(2000, "--max-test", help="At most N test images."),
    retrain: bool = typer.Option(False, "--retrain", help="Ignore a cached classifier."),
    device: str = typer.Option("auto", "--device"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Domain accuracy of translations, judged by a CNN trained on the real images (cached).

      translate eval domain-accuracy runs/stargan-digits --data data/digits --json
    """
    from ..evaluation.domain_classifier import ClassifierSettings
    from ..evaluation.metrics import calc_metric

    result = calc_metric("domain-accuracy", model=model, data=data, size=size, device=device, train_split=train_split, test_split=split,
                             settings=ClassifierSettings(epochs=epochs), max_train=max_train, max_test=max_test,
                             retrain=retrain)

    def human(d: dict) -> None:
        typer.echo(f"{d['model']} on {d['data']} ({d['label_mode']}-label, {d['size']} px, "
                   f"{d['test_images']} test images, {d['translations']} translations)")
        typer.echo(f"{'domain':20s} {'real':>8s} {'translated':>11s}")
        for name, r in d["per_domain"].items():
            typer.echo(f"{name:20s} {r['real']:8.3f} {r['translated']:11.3f}")
        typer.echo(f"{'all':20s} {d['real_accuracy']:8.3f} {d['translated_accuracy']:11.3f}")
        typer.echo(f"classifier: {d['classifier']['path']} ({'cached' if d['classifier']['reused'] else 'trained'})")

    print_json_or(result, as_json, human)


@eval_app.command("duplicates")
def eval_duplicates_cmd(
    target: str = typer.Argument(..., help="A latent model (run folder, generator or ONNX file) or a folder of images."),
    num: int = typer.Option(1000, "--num", help="Models: how many images to sample."),
    seed: int = typer.Option(0, "--seed", help="Seed of the latents and of the random batches."),
    psi: float = typer.Option(1.0, "--psi", help="Models: truncation psi (StyleGAN)."),
    reference: Optional[str] = typer.Option(None, "--reference", help="Real images: threshold = their 1% NN distance."),
    threshold: Optional[float] = typer.Option(None, "--threshold", help="Fixed RMS threshold (16x16 thumbs; 0.05)."),
    backend: str = typer.Option("torch", "--backend", help="torch | onnx."),
    pairs: Optional[str] = typer.Option(None, "--pairs", help="Save the closest pairs as a PNG here."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Birthday-paradox support estimate (Arora & Zhang 2017) of a generator's samples or a folder.

      translate eval duplicates runs/dcgan-digits --num 1000 --reference data/digits/train

      translate eval duplicates data/digits/train --json
    """
    from ..evaluation.metrics import calc_metric
    from .report import print_duplicates

    print_json_or(calc_metric("duplicates", target=target, num=num, seed=seed, psi=psi, reference=reference, threshold=threshold,
                             backend=backend, pairs_png=pairs), as_json, print_duplicates)


@eval_app.command("samples", hidden=True)
def eval_samples_cmd(
    metrics: str = typer.Argument(..., help="Comma list: fid, kid, is, mode-score, pr, dc, mmd, 1nn, swd."),
    target: str = typer.Argument(..., help="A model (run folder, .safetensors/.pth/.onnx) or a folder of images."),
    real: str = typer.Option(..., "--real", help="Folder of real images (features cached per folder content); "
                             "translation models: their data folder (the --split is translated)."),
    split: str = typer.Option("test", "--split", help="Translation models: the split translated and compared."),
    features: str = typer.Option("classifier", "--features", help="pixels | classifier | inception."),
    num: int = typer.Option(10000, "--num", help="Latent models: samples drawn; folders: a seeded subset of N images (0: all); "
                            "translation models: at most N sources per direction/domain."),
    num_real: int = typer.Option(0, "--num-real", help="A seeded subset of N real images (0: all)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the latents and of KID subsets / IS splits / SWD directions."),
    weights: str = typer.Option("", "--weights", help="inception: the FID Inception-v3 weights file (default: the cache)."),
    classifier_data: str = typer.Option("", "--classifier-data", help="classifier: real training images, one subfolder per class."),
    size: int = typer.Option(0, "--size", help="pixels/classifier: extractor side in px (default 32)."),
    backend: str = typer.Option("torch", "--backend", help="torch | onnx (an .onnx target always runs on onnxruntime)."),
    psi: float = typer.Option(1.0, "--psi", help="Models: truncation psi (StyleGAN)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Sample metrics of a model or an image folder against real images.

      Latent models (DCGAN, StyleGAN) draw --num seeded samples. Translation models translate the --split
      of the data folder --real: CycleGAN each direction (testA -> vs testB, testB -> vs testA), pix2pix its
      direction (source halves vs target halves), StarGAN every target domain (the other domains' images
      -> vs that domain's); each is reported on its own.

      translate eval fid,kid,pr,1nn runs/dcgan-digits --real data/digits/test --classifier-data data/digits/train

      translate eval fid,kid,pr runs/stargan-digits --real data/digits --split test --classifier-data data/digits/train

      translate eval fid,kid gen.onnx --real photos/ --features inception --weights weights-inception-2015-12-05-6726825d.pth
    """
    from ..evaluation.sample_eval import evaluate_samples
    from .report import print_samples

    result = evaluate_samples(metrics, target, real, features=features, num=num, num_real=num_real, seed=seed,
                              weights=weights, classifier_data=classifier_data, size=size, backend=backend, psi=psi,
                              split=split)
    print_json_or(result, as_json, print_samples)
