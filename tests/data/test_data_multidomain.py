"""domains / attributes / single / derived datasets."""

from __future__ import annotations

import pytest
import torch

from translate.config import DataConfig
from translate.data import DATASETS, DERIVATIONS, exclusive_groups, hair_groups
from translate.data.multidomain import read_attr_table, split_rows
from translate.errors import ConfigError, InputError


def test_domain_folders_one_hot(domains_root, small_cfg):
    ds = DATASETS.build("domains", small_cfg(domains_root))
    assert ds.domain_names == ["cat", "dog", "zebra"] and len(ds) == 6
    item = ds[2]
    assert set(item) == {"image", "label", "domain", "path", "skipped"}
    assert item["domain"] == 1 and "/dog/" in item["path"]
    assert torch.equal(item["label"], torch.tensor([0.0, 1.0, 0.0]))
    assert item["image"].shape == (3, 32, 32)


def test_domain_subset_and_order(domains_root, small_cfg):
    ds = DATASETS.build("domains", small_cfg(domains_root, domains=["zebra", "cat"]))
    assert ds.domain_names == ["zebra", "cat"] and len(ds) == 3
    assert ds[0]["domain"] == 0 and "/zebra/" in ds[0]["path"]
    assert ds[0]["label"].tolist() == [1.0, 0.0]
    with pytest.raises(InputError, match=r"no domain folder 'cats' \(did you mean 'cat'\?\); available: cat, dog"):
        DATASETS.build("domains", small_cfg(domains_root, domains=["cats"]))


def test_empty_domain_folder(domains_root, small_cfg):
    (domains_root / "train" / "empty").mkdir()
    with pytest.raises(InputError, match=r"empty: no images found"):
        DATASETS.build("domains", small_cfg(domains_root))


def test_attribute_table_parsing(attr_root):
    names, files, values = read_attr_table(attr_root / "list_attr_celeba.txt")
    assert names[:3] == ["Bald", "Black_Hair", "Blond_Hair"] and len(files) == 30
    assert values.shape == (30, 7) and set(values.ravel().tolist()) <= {1, -1}


def test_attribute_dataset_labels_and_split(attr_root, small_cfg):
    cfg = small_cfg(attr_root, domains=["Male", "Black_Hair"], preprocess="resize")
    train = DATASETS.build("attributes", cfg, split="train")
    test = DATASETS.build("attributes", cfg, split="test", train=False)
    assert len(train) == 27 and len(test) == 3  # min(1999, rows // 10) rows held out
    assert not {train[i]["path"] for i in range(len(train))} & {test[i]["path"] for i in range(len(test))}
    names, files, values = read_attr_table(attr_root / "list_attr_celeba.txt")
    item = test[0]
    assert set(item) == {"image", "label", "path", "skipped"} and item["image"].shape == (3, 32, 32)
    row = files.index(item["path"].rsplit("/", 1)[1])
    expected = [float(values[row, names.index("Male")] > 0), float(values[row, names.index("Black_Hair")] > 0)]
    assert item["label"].tolist() == expected
    assert train.domain_names == ["Male", "Black_Hair"]


def test_attribute_defaults_errors_and_reference_split(attr_root, small_cfg):
    ds = DATASETS.build("attributes", small_cfg(attr_root))
    assert ds.domain_names == ["Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young"]
    with pytest.raises(InputError, match=r"no attribute 'male' \(did you mean 'Male'\?\)"):
        DATASETS.build("attributes", small_cfg(attr_root, domains=["male"]))
    with pytest.raises(InputError, match="attribute table not found"):
        DATASETS.build("attributes", small_cfg(attr_root, attr_file=str(attr_root / "x.txt")))
    big = split_rows(202599, "test")
    assert len(big) == 1999 and len(split_rows(202599, "train")) == 202599 - 1999
    (attr_root / "bad.txt").write_text("1\nA B\nx.jpg 1\n")
    with pytest.raises(InputError, match=r"bad\.txt: line 3: expected a file name and 2 values"):
        read_attr_table(attr_root / "bad.txt")


def test_exclusive_groups():
    names = ["Black_Hair", "Male", "Blond_Hair", "Brown_Hair", "Young"]
    assert exclusive_groups(names) == [[0, 2, 3]]
    assert hair_groups(names) == [0, 2, 3]
    assert exclusive_groups(["Male", "Young"]) == []


def test_single_folder_recursive_and_labels(domains_root, small_cfg):
    ds = DATASETS.build("single", small_cfg(domains_root))
    assert len(ds) == 6 and set(ds[0]) == {"image", "path", "skipped"}
    labelled = DATASETS.build("single", small_cfg(domains_root), labels=True)
    assert labelled.domain_names == ["cat", "dog", "zebra"]
    assert set(labelled[5]) == {"image", "path", "label", "domain", "skipped"} and labelled[5]["domain"] == 2
    flat = DATASETS.build("single", small_cfg(domains_root / "train" / "dog"))  # no split folder: ROOT
    assert len(flat) == 3


@pytest.mark.parametrize("kind", DERIVATIONS.names())
def test_derived_kinds(tmp_path, noise, small_cfg, kind):
    for i in range(3):
        noise(50, 40, i).save((tmp_path / "photos" / "sub").mkdir(parents=True, exist_ok=True)
                              or tmp_path / "photos" / "sub" / f"{i}.jpg")
    ds = DATASETS.build("derived", small_cfg(tmp_path / "photos", derive=kind))
    item = ds[(2, 1)]
    assert set(item) == {"A", "B", "A_path", "B_path", "skipped"}
    assert item["A"].shape == item["B"].shape == (3, 32, 32)
    assert item["A"].min() >= -1 and item["A"].max() <= 1
    assert torch.allclose(item["A"], DERIVATIONS.get(kind)(item["B"]))  # derived after augmenting


def test_derived_colorization_and_edges_alignment(tmp_path, small_cfg):
    from PIL import Image

    img = Image.new("RGB", (64, 64), (255, 255, 255))
    img.paste((200, 30, 30), (20, 0, 64, 64))  # one vertical colour edge at x = 20
    (tmp_path / "train").mkdir()
    img.save(tmp_path / "train" / "0.png")
    col = DATASETS.build("derived", small_cfg(tmp_path, derive="colorization", preprocess="none"))[0]
    assert torch.allclose(col["A"][0], col["A"][1]) and torch.allclose(col["A"][1], col["A"][2])
    assert not torch.allclose(col["B"][0], col["B"][1])
    for e in range(4):  # edges follow the (possibly flipped) photo
        item = DATASETS.build("derived", small_cfg(tmp_path, derive="edges", preprocess="none"))[(e, 0)]
        a, b = item["A"][0], item["B"][1]
        edge_cols = (a < 0.5).any(0).nonzero().flatten().tolist()
        change_cols = (b[:, 1:] != b[:, :-1]).any(0).nonzero().flatten().tolist()
        assert edge_cols and change_cols
        assert min(abs(c - change_cols[0]) for c in edge_cols) <= 2


def test_derived_needs_kind(tmp_path, make_image, small_cfg):
    make_image(tmp_path / "x.png")
    with pytest.raises(ConfigError, match="data.derive: choose"):
        DATASETS.build("derived", small_cfg(tmp_path))
    with pytest.raises(ConfigError, match="unknown derived-pair kind 'edge'"):
        DATASETS.build("derived", small_cfg(tmp_path, derive="edge"))
    with pytest.raises(InputError, match=r"val: no such split folder"):
        DATASETS.build("derived", small_cfg(tmp_path, derive="edges"), split="val")
    assert isinstance(DataConfig().derive, str)
