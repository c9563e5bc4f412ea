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
