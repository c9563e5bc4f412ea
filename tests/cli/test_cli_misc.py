"""``translate datasets``: recipes, checks and the bundled digits export."""

import json

from PIL import Image

from tests.conftest import run_cli
from translate.config import DataConfig
from translate.data import build_dataset


def test_list_has_pix2pix_and_cyclegan_recipes(capsys):
    assert run_cli(["datasets", "list", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert "facades" in d and "horse2zebra" in d


def test_check_reports_bad_file_and_exits_2(tmp_path, capsys):
    (tmp_path / "train").mkdir()
    Image.new("RGB", (64, 32)).save(tmp_path / "train" / "ok.png")
    (tmp_path / "train" / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    assert run_cli(["datasets", "check", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert "bad.png" in captured.out + captured.err


def test_digits_layouts(tmp_path):
    assert run_cli(["datasets", "digits", str(tmp_path / "dom"), "--layout", "domains", "--size", "16"]) == 0
    ds = build_dataset(DataConfig(root=str(tmp_path / "dom"), crop_size=16, load_size=16), "train", train=False)
    assert ds.domain_names == [str(i) for i in range(10)] and len(ds) == 1797 - 359
    assert run_cli(["datasets", "digits", str(tmp_path / "att"), "--layout", "attributes", "--size", "16"]) == 0
    cfg = DataConfig(root=str(tmp_path / "att"), crop_size=16, load_size=16, domains=["even", "greater_than_4"])
    att = build_dataset(cfg, "train", train=False)
    item = att[0]
    assert item["label"].shape == (2,) and set(item["label"].tolist()) <= {0.0, 1.0}


def test_bench_toy_cli_json(tmp_path, capsys):
    assert run_cli(["bench", "toy", "--loss", "hinge", "--steps", "20", "--spectral-norm", "--out", str(tmp_path / "r.png"), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)["hinge"]
    assert d["n_modes"] == 8 and 0 <= d["modes_covered"] <= 8 and 0.0 <= d["high_quality"] <= 1.0
    assert (tmp_path / "r.png").stat().st_size > 1000
