"""translate.data.checks: detect_layout, scan_folder, build_dataset."""

from __future__ import annotations

import pytest

from translate.data import build_dataset, detect_layout, scan_folder
from translate.data.checks import matching_layouts, pair_dirs, resolve_layout
from translate.errors import InputError


def test_detect_each_layout(aligned_root, folders_root, unpaired_root, domains_root, attr_root, tmp_path,
                            make_image):
    assert detect_layout(aligned_root) == "aligned"
    assert detect_layout(folders_root) == "folders"
    assert detect_layout(unpaired_root) == "unpaired"
    assert detect_layout(unpaired_root, "test") == "unpaired"
    assert detect_layout(domains_root) == "domains"
    assert detect_layout(attr_root) == "attributes"
    make_image(tmp_path / "photos" / "x" / "1.jpg", w=30, h=20)
    assert detect_layout(tmp_path / "photos") == "single"


def test_detect_layouts_without_a_split_folder(tmp_path, make_image, small_cfg):
    """Issue 13 item 7: top-level A/ + B/ and ROOT/<domain>/ read as the train split (was 'single')."""
    ab = tmp_path / "ab"
    for side in "AB":
        for i in range(2):
            make_image(ab / side / f"{i}.png", w=20, h=20, seed=i)
    assert detect_layout(ab) == "folders"
    assert matching_layouts(ab)[:2] == ["folders", "unpaired"]  # CycleGAN reads the same folders unpaired
    assert pair_dirs(ab, "train") == (ab / "A", ab / "B") and pair_dirs(ab, "test") is None
    ds = build_dataset(small_cfg(ab, layout="unpaired"))
    assert len(ds) == 2 and "/A/" in ds[0]["A_path"] and "/B/" in ds[0]["B_path"]
    dom = tmp_path / "dom"
    for name in ("cat", "dog"):
        make_image(dom / name / "1.png", w=20, h=20)
    assert detect_layout(dom) == "domains"
    # a split folder still wins over ROOT: ROOT/train/ with images is aligned or single, never domains
    make_image(dom / "train" / "x.png", w=20, h=20)
    assert detect_layout(dom) == "single"
    report = scan_folder(ab)
    assert report.layout == "folders" and report.ok


def test_detect_nothing_fits(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError) as e:
        detect_layout(tmp_path / "empty")
    msg = str(e.value)
    assert msg.startswith(str(tmp_path / "empty")) and "cannot tell the data layout" in msg
    for name in ("attributes", "unpaired", "folders", "aligned", "domains", "single"):
        assert name in msg
    assert "ROOT/<split>A/" in msg and "data.layout" in msg
    with pytest.raises(InputError, match="no such folder"):
        detect_layout(tmp_path / "nope")


def test_build_dataset_auto_and_derive(aligned_root, unpaired_root, small_cfg):
    assert type(build_dataset(small_cfg(aligned_root))).__name__ == "AlignedDataset"
    ds = build_dataset(small_cfg(unpaired_root), split="test", train=False)
    assert type(ds).__name__ == "UnpairedDataset" and len(ds) == 1
    assert resolve_layout(small_cfg(aligned_root, derive="edges")) == "derived"
    assert resolve_layout(small_cfg(aligned_root, layout="single")) == "single"


def test_scan_folder_lists_bad_files(aligned_root):
    (aligned_root / "train" / "3.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 40)
    (aligned_root / "train" / "a.jpg").write_text("not really")
    (aligned_root / "train" / "readme.txt").write_text("ignored")
    rep = scan_folder(aligned_root, workers=2)
    assert rep.layout == "aligned" and rep.images == 8 and rep.other_files == 1
    bad = dict(rep.bad)
    assert set(bad) == {str(aligned_root / "train" / "3.png"), str(aligned_root / "train" / "a.jpg")}
    assert bad[str(aligned_root / "train" / "a.jpg")].endswith("a.jpg: not an image file")
    assert not rep.ok and "2 bad files" in rep.summary()
    assert rep.to_dict()["images"] == 8


def test_scan_folder_full_decode_and_layout_problems(aligned_root, make_image):
    p = aligned_root / "val" / "0.png"
    p.write_bytes(p.read_bytes()[:200])  # header fine, pixels missing
    make_image(aligned_root / "train" / "odd.png", w=31, h=16)
    quick = scan_folder(aligned_root, layout="aligned", full=False)
    assert not quick.bad  # headers only
    full = scan_folder(aligned_root, layout="aligned", full=True)
    assert [b[0] for b in full.bad] == [str(p)]
    assert any("odd.png: width 31 is odd" in pr for pr in full.problems)


def test_scan_folder_clean_and_empty(unpaired_root, attr_root, tmp_path):
    rep = scan_folder(unpaired_root)
    assert rep.ok and rep.layout == "unpaired" and rep.images == 10, rep.summary()
    (attr_root / "images" / "000005.jpg").unlink()
    rep = scan_folder(attr_root)
    assert rep.layout == "attributes"
    assert any("000005.jpg" in pr for pr in rep.problems)
    (tmp_path / "e").mkdir()
    assert "no images found" in scan_folder(tmp_path / "e").problems[0]


def test_scan_folder_pixel_limit(aligned_root):
    rep = scan_folder(aligned_root, max_pixels=1000)
    assert len(rep.bad) == 7 and "MP limit" in rep.bad[0][1]


def test_tiny_images_are_refused_by_loading_and_reported_by_check(tmp_path, make_image, small_cfg):
    from translate.data.base import MIN_SIDE

    root = tmp_path / "photos"
    for i in range(3):
        make_image(root / f"{i}.png", w=32, h=32, seed=i)
    make_image(root / "dot.png", w=1, h=1)
    rep = scan_folder(root, workers=1)
    bad = dict(rep.bad)
    assert list(bad) == [str(root / "dot.png")] and not rep.ok
    assert f"image is 1x1 px, under the {MIN_SIDE} px minimum side" in bad[str(root / "dot.png")]
    with pytest.raises(InputError, match=r"dot\.png: image is 1x1 px.*\(translate train --skip-bad skips bad files\)"):
        ds = build_dataset(small_cfg(root, layout="single"), train=True)  # the header pass or the item load
        for i in range(len(ds)):
            ds[i]
    skipping = build_dataset(small_cfg(root, layout="single", skip_bad=True), train=True)
    items = [skipping[i] for i in range(len(skipping))]
    assert all(not it["path"].endswith("dot.png") for it in items) and skipping.bad_count == 1


def test_corrupt_image_errors_name_skip_bad(aligned_root, small_cfg):
    (aligned_root / "train" / "0.png").write_bytes(b"not an image")
    with pytest.raises(InputError, match=r"0\.png: not an image file.*--skip-bad"):
        ds = build_dataset(small_cfg(aligned_root), train=True)
        for i in range(len(ds)):
            ds[i]
