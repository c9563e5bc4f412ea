"""translate.evaluation.sample_metrics: closed-form cases and agreement with torchmetrics / scipy."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import linalg

from translate.evaluation import sample_metrics as sm


def _gauss(n: int, d: int, seed: int, shift: float = 0.0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, d)) + shift


def test_identical_sets() -> None:
    x = _gauss(300, 8, 0)
    assert abs(sm.fid(x, x)["fid"]) < 1e-6
    same, shifted = sm.kid(x, x, subsets=20, subset_size=100), sm.kid(x, x + 0.5, subsets=20, subset_size=100)
    assert abs(same["kid"]) < 2 * same["kid_std"] and abs(same["kid"]) < 0.05 * shifted["kid"]
    pr = sm.precision_recall(x, x)
    assert pr["precision"] == 1.0 and pr["recall"] == 1.0
    dc = sm.density_coverage(x, x)
    assert dc["coverage"] == 1.0 and dc["density"] > 0.9
    assert abs(sm.swd(x, x)["swd"]) < 1e-12
    # unbiased MMD^2 of a set with itself is -2 (1 - mean off-diagonal k) / n, not 0: small against a shift
    assert abs(sm.mmd(x, x, sigma=3.0)["mmd"]) < 0.05 * sm.mmd(x, x + 1.0, sigma=3.0)["mmd"]


def test_one_nn_half_on_same_distribution() -> None:
    r = sm.one_nn(_gauss(1000, 4, 1), _gauss(1000, 4, 2))["1nn"]
    assert abs(r - 0.5) < 0.05  # 2000 LOO trials: std ~0.011


def test_disjoint_sets() -> None:
    r, f = _gauss(200, 6, 0), _gauss(200, 6, 1, shift=100.0)
    assert sm.one_nn(r, f)["1nn"] == 1.0
    pr = sm.precision_recall(r, f)
    assert pr["precision"] == 0.0 and pr["recall"] == 0.0
    dc = sm.density_coverage(r, f)
    assert dc["density"] == 0.0 and dc["coverage"] == 0.0
    assert sm.swd(r, f)["swd"] > 50


def test_fid_matches_analytic_gaussians() -> None:
    """Population statistics fed exactly: samples whose mean/cov equal the target ones."""
    d, n = 5, 400
    rng = np.random.default_rng(3)
    a1, a2 = rng.normal(size=(d, d)), rng.normal(size=(d, d))
    mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
    s1, s2 = a1 @ a1.T + np.eye(d), a2 @ a2.T + np.eye(d)

    def exact(mu, cov, seed):  # whiten a sample, then colour it: mean and unbiased cov hit exactly
        z = np.random.default_rng(seed).normal(size=(n, d))
        z -= z.mean(0)
        z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False)).T)
        return z @ np.linalg.cholesky(cov).T + mu

    x, y = exact(mu1, s1, 4), exact(mu2, s2, 5)
    covmean = linalg.sqrtm(s1 @ s2).real
    analytic = float(((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * covmean))
    assert abs(sm.fid(x, y)["fid"] - analytic) / analytic < 1e-6


def test_kid_unbiased() -> None:
    """Mean of KID over many same-distribution draws lies within 2 standard errors of 0."""
    vals = [sm.kid(_gauss(100, 8, 2 * i), _gauss(100, 8, 2 * i + 1), subsets=1, subset_size=100)["kid"] for i in range(200)]
    assert abs(np.mean(vals)) < 2 * np.std(vals) / np.sqrt(len(vals))


def test_fid_kid_is_equal_torchmetrics_image_pipeline() -> None:
    """Our feature-level calls == torchmetrics' own image-level metrics with the same extractor."""
    from torchmetrics.image.fid import FrechetInceptionDistance
    from torchmetrics.image.inception import InceptionScore
    from torchmetrics.image.kid import KernelInceptionDistance

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(48, 10)).double()
    net.num_features = 10
    ri, fi = torch.rand(120, 3, 4, 4, dtype=torch.float64), torch.rand(120, 3, 4, 4, dtype=torch.float64) ** 2
    with torch.no_grad():
        rf, ff = net(ri), net(fi)
    ref = FrechetInceptionDistance(feature=net).set_dtype(torch.float64)
    ref.update(ri, real=True)
    ref.update(fi, real=False)
    assert abs(sm.fid(rf, ff)["fid"] - float(ref.compute())) < 1e-5
    k = KernelInceptionDistance(feature=net, subsets=10, subset_size=50)
    k.update(ri, real=True)
    k.update(fi, real=False)
    torch.manual_seed(7)
    mean, std = k.compute()
    ours = sm.kid(rf, ff, subsets=10, subset_size=50, seed=7)
    assert abs(ours["kid"] - float(mean)) < 1e-5 and abs(ours["kid_std"] - float(std)) < 1e-5
    i = InceptionScore(feature=net, splits=10)
    i.update(fi)
    torch.manual_seed(3)
    mean, _ = i.compute()
    assert abs(sm.inception_score(ff, seed=3)["is"] - float(mean)) < 1e-5


def test_inception_score_and_mode_score_closed_form() -> None:
    c = 10
    confident = torch.eye(c).repeat(50, 1) * 50.0  # every class equally often, one-hot predictions
    assert sm.inception_score(confident, splits=1)["is"] == pytest.approx(c, rel=1e-6)
    assert sm.mode_score(confident, confident)["mode_score"] == pytest.approx(c, rel=1e-6)
    one_class = torch.zeros(500, c)
    one_class[:, 0] = 50.0
    assert sm.inception_score(one_class, splits=1)["is"] == pytest.approx(1.0, rel=1e-6)
    assert sm.mode_score(confident, one_class)["mode_score"] == pytest.approx(1.0, rel=1e-5)  # exp(log c - log c)


def test_chunked_knn_equals_unchunked(monkeypatch) -> None:
    r, f = _gauss(150, 3, 8), _gauss(130, 3, 9, shift=0.5)
    full = {**sm.precision_recall(r, f), **sm.density_coverage(r, f), **sm.one_nn(r, f), **sm.mmd(r, f, sigma=1.0)}
    monkeypatch.setattr(sm, "CHUNK", 17)
    small = {**sm.precision_recall(r, f), **sm.density_coverage(r, f), **sm.one_nn(r, f), **sm.mmd(r, f, sigma=1.0)}
    assert small == pytest.approx(full, rel=1e-9)
