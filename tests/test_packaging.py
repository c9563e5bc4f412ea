"""The distribution: a torch-free base install, one onnxruntime build per extra set, one-line missing-extra errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import tomllib

from tests.conftest import REPO
from translate.errors import INSTALL_FOR_MODULE, ConfigError, MissingExtra
from translate.runtime.providers import check_one_build

PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
ORT = {"onnxruntime", "onnxruntime-gpu"}


def _name(req: str) -> str:
    return re.split(r"[\s<>=!~\[;]", req, maxsplit=1)[0].lower().replace("_", "-")


def resolved(extra: str | None) -> set[str]:
    """Distribution names the base install plus ``extra`` asks for, self-references expanded."""
    reqs, seen, todo = set(_name(r) for r in PROJECT["dependencies"]), set(), [extra] if extra else []
    while todo:
        e = todo.pop()
        if e in seen:
            continue
        seen.add(e)
        for r in PROJECT["optional-dependencies"][e]:
            if r.startswith("gan-translate["):
                todo += r[len("gan-translate["):-1].split(",")
            else:
                reqs.add(_name(r))
    return reqs


@pytest.mark.parametrize("extra", [None, *PROJECT["optional-dependencies"]])
def test_no_extra_set_pulls_both_onnxruntime_builds(extra: str | None) -> None:
    assert len(resolved(extra) & ORT) <= 1, (extra, resolved(extra) & ORT)


def test_base_install_is_torch_free_and_full_has_everything() -> None:
    heavy = {m.replace("_", "-") for m in INSTALL_FOR_MODULE} - {"onnxruntime"}
    assert not resolved(None) & (heavy | ORT), resolved(None) & (heavy | ORT)
    assert resolved("runtime-cpu") & ORT == {"onnxruntime"} and resolved("runtime-gpu") & ORT == {"onnxruntime-gpu"}
    assert heavy <= resolved("full"), heavy - resolved("full")
    assert resolved("full") <= resolved("test")
    assert PROJECT["scripts"]["translate"] == "translate.__main__:main"


def test_two_onnxruntime_builds_refused_in_one_line() -> None:
    check_one_build(["onnxruntime-gpu"])
    with pytest.raises(ConfigError, match=r"onnxruntime and onnxruntime-gpu are installed together.*pip uninstall"):
        check_one_build(["onnxruntime", "onnxruntime-gpu"])


def test_missing_extra_message() -> None:
    err = MissingExtra.from_import(ModuleNotFoundError("No module named 'torch.nn'", name="torch.nn"), "`translate train`")
    assert str(err) == '`translate train` needs torch, which this install lacks: pip install "gan-translate[full]"'
    assert MissingExtra.from_import(ModuleNotFoundError("x", name="not_ours")) is None


# Makes torch and gradio absent (ModuleNotFoundError, as in the base install) in the process it runs in.
ABSENT = textwrap.dedent("""
    import importlib.abc, sys
    class _Absent(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("torch", "torchvision", "gradio"):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    sys.meta_path.insert(0, _Absent())
    from translate.__main__ import main
    main(sys.argv[1:])
""")


def _cli_without_torch(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", ABSENT, *args], capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.parametrize("args,what", [(["train", "pix2pix", "--data", "."], "`translate train`"), (["app"], "`translate app`")])
def test_console_script_names_the_extra(args: list[str], what: str) -> None:
    r = _cli_without_torch(*args)
    assert r.returncode == 2, r.stderr[-2000:]
    assert r.stderr.strip().splitlines() == [f"error: {what} needs torch, "
                                              'which this install lacks: pip install "gan-translate[full]"'], r.stderr


def test_predict_onnx_without_torch(p2p_onnx: Path, tmp_path: Path) -> None:
    from tests.conftest import make_folder

    make_folder(tmp_path / "in", n=2, size=32)
    r = _cli_without_torch("predict", str(p2p_onnx), str(tmp_path / "in"), "--out", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr[-2000:]
    assert sorted(p.name for p in (tmp_path / "out").glob("*.png")) == ["img0.png", "img1.png"]


def test_info_onnx_without_torch(p2p_run: Path, p2p_onnx: Path) -> None:
    """`translate info` on FILE.onnx and on a generator file runs on translate.runtime alone; a run folder names the extra."""
    import json

    r = _cli_without_torch("info", str(p2p_onnx), "--json")
    assert r.returncode == 0, r.stderr[-2000:]
    d = json.loads(r.stdout)
    assert d["type"] == "model" and d["task"] == "pix2pix" and d["format"].startswith("gan-translate-onnx")
    assert d["generators"]["G"]["params"] > 0 and d["inputs"][0]["name"] == "input"
    r = _cli_without_torch("info", str(p2p_onnx))  # the human-readable table too
    assert r.returncode == 0 and "pix2pix" in r.stdout, r.stderr[-2000:]
    gen_file = next(p2p_run.rglob("generator.safetensors"))
    r = _cli_without_torch("info", str(gen_file), "--json")  # a generator file: described from its header
    assert r.returncode == 0, r.stderr[-2000:]
    meta = json.loads(r.stdout)
    g = meta["generators"]["G"]
    assert meta["task"] == "pix2pix" and g["arch"] == "unet" and g["options"]["num_downs"] == 5 and g["params"] is None
    from translate.tasks.describe import describe  # with torch: the built net's parameter count
    params = describe(str(gen_file))["generators"]["G"]["params"]
    assert params < g["stored_values"] < params * 1.01  # + BatchNorm running statistics
    assert "parameter counts need torch" in meta["note"] and meta["step"] == 2
    r = _cli_without_torch("info", str(gen_file))
    assert r.returncode == 0 and 'pip install "gan-translate[full]"' in " ".join(r.stdout.split()), r.stdout
    r = _cli_without_torch("info", str(p2p_run / "checkpoints"))
    assert r.returncode == 2 and r.stderr.strip().splitlines() == [
        'error: `translate info` needs torch, which this install lacks: pip install "gan-translate[full]"'], r.stderr


def _index_reachable() -> bool:
    """Whether any package index pip is configured with (or PyPI) answers."""
    import urllib.request

    cfg = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True).stdout
    urls = re.findall(r"(?:index-url|find-links)='([^']+)'", cfg) + [os.environ.get("PIP_FIND_LINKS", "")]
    urls = [x for u in urls for x in u.split() if x] or ["https://pypi.org/simple/"]
    for u in urls:
        if u.startswith("file://") or u.startswith("/"):
            if Path(u.removeprefix("file://")).exists():
                return True
            continue
        try:
            urllib.request.urlopen(u, timeout=5).close()
            return True
        except OSError:
            continue
    return False


@pytest.mark.slow
def test_fresh_torch_free_venv(p2p_onnx: Path, tmp_path: Path) -> None:
    """pip install ".[runtime-cpu]" into a fresh venv: no torch, OnnxTranslator runs, size and import time printed."""
    if not _index_reachable():
        if os.environ.get("CI"):
            pytest.fail("no package index reachable (CI is set, so this check may not skip)")
        pytest.skip("no package index reachable")
    import shutil
    import statistics
    import time

    venv, src = tmp_path / "venv", tmp_path / "src"
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info", "runs", "__pycache__"))
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    py = str(venv / "bin" / "python")
    r = subprocess.run([py, "-m", "pip", "install", "-q", f"{src}[runtime-cpu]"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    assert subprocess.run([py, "-c", "import torch"], capture_output=True, env=env, cwd=tmp_path).returncode != 0
    listed = subprocess.run([py, "-m", "pip", "list"], capture_output=True, text=True, env=env).stdout.lower()
    assert "onnxruntime " in listed and "onnxruntime-gpu" not in listed and "gradio" not in listed, listed
    code = ("import sys; from PIL import Image; from translate.runtime import OnnxTranslator\n"
            "tr = OnnxTranslator(sys.argv[1]); out = tr.translate([Image.new('RGB', (45, 27), (10, 200, 30))])[0]\n"
            "assert out.size == (45, 27) and out.mode == 'RGB'; print('ok', tr.providers)")
    r = subprocess.run([py, "-c", code, str(p2p_onnx)], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert r.returncode == 0 and "ok" in r.stdout, r.stderr[-2000:]
    r = subprocess.run([str(venv / "bin" / "translate"), "train", "pix2pix", "--data", "."], capture_output=True, text=True, env=env)
    assert r.returncode == 2 and 'pip install "gan-translate[full]"' in r.stderr, r.stderr[-2000:]
    base, rt = [], []
    for _ in range(5):  # interleaved: bare interpreter start, then start + import of the runtime with onnxruntime
        for args, acc in ((["-c", "pass"], base), (["-c", "import translate.runtime.onnx"], rt)):
            t = time.perf_counter()
            subprocess.run([py, *args], check=True, env=env, cwd=tmp_path)
            acc.append(time.perf_counter() - t)
    size_mb = sum(f.stat().st_size for f in venv.rglob("*") if f.is_file()) / 2**20
    print(f"torch-free venv {size_mb:.0f} MB; python start {statistics.median(base):.3f} s, with import translate.runtime.onnx "
          f"{statistics.median(rt):.3f} s (min-max {min(rt):.3f}-{max(rt):.3f}; {statistics.median(rt) / statistics.median(base):.1f}x)")
    assert size_mb < 600, size_mb
