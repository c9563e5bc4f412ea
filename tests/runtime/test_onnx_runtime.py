"""translate.runtime: torch-free import, providers, size handling, conditioning, latent sampling."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import REPO, make_folder
from translate.errors import CheckpointError, ConfigError
from translate.runtime import OnnxTranslator
from translate.runtime import providers as runtime

# Makes ``import torch`` (and torchvision) fail in the process it runs in, then runs the body.
BLOCK_TORCH = textwrap.dedent("""
    import importlib.abc, sys
    class _NoTorch(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("torch", "torchvision"):
                raise ImportError(f"{name} is blocked in this test")
    sys.meta_path.insert(0, _NoTorch())
    try:
        import torch  # noqa: F401
    except ImportError:
        pass
    else:
        raise SystemExit("the torch block does not work")
""")


def _run_without_torch(body: str, *args: str) -> subprocess.CompletedProcess:
    code = BLOCK_TORCH + textwrap.dedent(body)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=300)


def test_runtime_and_pipeline_without_torch(p2p_onnx: Path, tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "in" / "sub", n=3, size=32)
    Image.new("RGB", (45, 27), (10, 200, 30)).save(tmp_path / "in" / "odd.png")
    body = """
        import sys
        from PIL import Image
        import translate.runtime as rt
        model, folder, out = sys.argv[1:4]
        tr = rt.OnnxTranslator(model)
        img = Image.open(folder + "/odd.png")
        res = tr.translate([img])
        assert res[0].size == img.size and res[0].mode == "RGB", res[0].size
        written, failed = tr.translate_files([folder], out, batch_size=2)
        assert len(written) == 4 and failed == 0, (written, failed)
        import runpy
        sys.argv = ["pipeline.py", model, folder, out + "_pipeline", "--batch", "2", "--providers", "cpu"]
        try:
            runpy.run_path(sys.argv[0].replace("pipeline.py", "") + "export/pipeline.py", run_name="__main__")
        except SystemExit as e:
            assert e.code == 0, e.code
        sys.argv = ["pipeline.py", model, folder, out + "_limited", "--providers", "cpu", "--max-pixels", "1200"]
        try:  # 32x32 = 1024 px pass, 45x27 = 1215 px is reported naming --max-pixels, exit 2
            runpy.run_path(sys.argv[0].replace("pipeline.py", "") + "export/pipeline.py", run_name="__main__")
        except SystemExit as e:
            assert e.code == 2, e.code
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "torchvision", "safetensors"))
        assert not loaded, loaded
        print("providers", tr.providers, "ok")
    """.replace('sys.argv[0].replace("pipeline.py", "")', repr(str(REPO) + "/"))
    r = _run_without_torch(body, str(p2p_onnx), str(tmp_path / "in"), str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr[-3000:]
    assert "ok" in r.stdout and "4 image(s)" in r.stdout
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.png")) == [
        "odd.png", "sub/img0.png", "sub/img1.png", "sub/img2.png"]
    assert len(list((tmp_path / "out_pipeline").rglob("*.png"))) == 4
    assert len(list((tmp_path / "out_limited").rglob("*.png"))) == 3
    assert "odd.png: 45x27 = " in r.stderr and "MP limit (raise --max-pixels)" in r.stderr
    assert folder.is_dir()


def test_every_runtime_module_imports_without_torch() -> None:
    """The rule of ``translate.runtime``: every module of it imports with torch blocked."""
    body = """
        import importlib, pkgutil, sys
        import translate.runtime as rt
        names = [m.name for m in pkgutil.walk_packages(rt.__path__, "translate.runtime.")]
        for name in names:
            importlib.import_module(name)
        rt.OnnxTranslator  # the lazy public entry point
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "torchvision", "safetensors"))
        assert not loaded, loaded
        print("imported", len(names), "modules:", " ".join(sorted(n.rsplit(".", 1)[1] for n in names)))
    """
    r = _run_without_torch(body)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "imported" in r.stdout and "translator" in r.stdout and "onnx" in r.stdout, r.stdout


def test_torch_really_blocked() -> None:
    r = _run_without_torch("import translate.data\n")
    assert r.returncode != 0 and "blocked in this test" in r.stderr


def test_providers_explicit_and_unknown(p2p_onnx: Path) -> None:
    assert OnnxTranslator(p2p_onnx, ["cpu"]).providers == ["CPUExecutionProvider"]
    assert OnnxTranslator(p2p_onnx, "CPUExecutionProvider").providers == ["CPUExecutionProvider"]
    with pytest.raises(ConfigError, match="not in this onnxruntime build"):
        OnnxTranslator(p2p_onnx, ["rocm"])


def test_gpu_fallback_is_one_line(p2p_onnx: Path, monkeypatch, capfd) -> None:
    """On a machine whose CUDA provider cannot start, auto choice falls back to CPU with one line."""
    import onnxruntime as ort

    if "CUDAExecutionProvider" not in ort.get_available_providers():
        pytest.skip("this onnxruntime build has no CUDA provider")
    monkeypatch.setattr(runtime, "_gpu_driver", lambda: True)  # pretend a driver is installed
    capfd.readouterr()
    tr = OnnxTranslator(p2p_onnx)
    err = capfd.readouterr().err
    if "CUDAExecutionProvider" in tr.providers:
        pytest.skip("CUDA works here: nothing falls back")
    assert tr.providers == ["CPUExecutionProvider"]
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("onnxruntime: CUDA unavailable"), err


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="no such ONNX file"):
        OnnxTranslator(tmp_path / "none.onnx")
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    with pytest.raises(CheckpointError, match="junk.onnx: cannot load the ONNX model"):
        OnnxTranslator(junk, ["cpu"])


def test_sizes_gray_and_conditioning_errors(p2p_onnx: Path) -> None:
    tr = OnnxTranslator(p2p_onnx, ["cpu"])
    imgs = [Image.new("L", (33, 17), 90), Image.new("RGBA", (64, 40)), Image.new("RGB", (32, 32))]
    assert [o.size for o in tr.translate(imgs, batch_size=2)] == [(33, 17), (64, 40), (32, 32)]
    assert [o.size for o in tr.translate(imgs, size=48)] == [(33, 17), (64, 40), (32, 32)]
    with pytest.raises(ConfigError, match="takes no domain"):
        tr.translate(imgs[:1], domain="x")
    with pytest.raises(ConfigError, match="for latent models"):
        tr.sample(2)
    tr.info.derive = "colorization"  # colorization models see grayscale, like Translator.prepare
    assert tr.prepare(Image.new("RGB", (4, 4), (255, 0, 0))).getpixel((0, 0)) == (76, 76, 76)


@pytest.mark.slow
def test_latent_and_domain_models(tmp_path: Path) -> None:
    import torch

    from tests.export.test_parity import tiny
    from translate.export.exporter import export_net
    from translate.registry import GENERATORS

    dc = tiny("dcgan_32")

    torch.manual_seed(0)
    cond_net = GENERATORS.build("dcgan_32", ngf=8, num_classes=4).eval()
    export_net(dc, tmp_path / "dc.onnx", {"task": "dcgan", "net": "G", "arch": "dcgan_32"}, log=lambda s: None)
    export_net(cond_net, tmp_path / "dcc.onnx", {"task": "dcgan", "net": "G", "arch": "dcgan_32"}, log=lambda s: None)
    tr = OnnxTranslator(tmp_path / "dc.onnx", ["cpu"])
    assert tr.info.kind == "latent" and tr.info.z_dim == 100
    a, b = tr.sample(3, seed=5, batch_size=2), tr.sample(3, seed=5)
    assert [im.size for im in a] == [(32, 32)] * 3
    assert all(np.array_equal(np.asarray(x), np.asarray(y)) for x, y in zip(a, b))
    with pytest.raises(ConfigError, match="no truncation"):
        tr.sample(1, psi=0.5)
    with pytest.raises(ConfigError, match="use sample"):
        tr.translate([Image.new("RGB", (8, 8))])
    trc = OnnxTranslator(tmp_path / "dcc.onnx", ["cpu"])
    assert "y" in trc.inputs
    same = trc.sample(2, seed=1, y=[3, 3])
    other = trc.sample(2, seed=1, y=[0, 0])
    assert not np.array_equal(np.asarray(same[0]), np.asarray(other[0]))

    sg = tiny("stargan")
    export_net(sg, tmp_path / "sg.onnx", {"task": "stargan", "net": "G", "arch": "stargan",
                                           "domains": ["a", "b", "c", "d", "e"]}, log=lambda s: None)
    ts = OnnxTranslator(tmp_path / "sg.onnx", ["cpu"])
    img = [Image.new("RGB", (30, 22), (20, 90, 200))]
    out_b, out_c = ts.translate(img, domain="b")[0], ts.translate(img, domain="c")[0]
    assert out_b.size == (30, 22) and np.asarray(out_b).tolist() != np.asarray(out_c).tolist()
    x = np.random.default_rng(0).uniform(-1, 1, (2, 3, 32, 32)).astype(np.float32)
    with torch.no_grad():
        expected = sg(torch.from_numpy(x), torch.tensor([[0, 1, 0, 0, 0]] * 2, dtype=torch.float32)).numpy()
    assert np.abs(ts.run_arrays(x, domain="b") - expected).max() < 1e-4
    with pytest.raises(ConfigError, match="needs a target domain"):
        ts.translate(img)
