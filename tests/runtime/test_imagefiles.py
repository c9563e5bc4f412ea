"""translate.runtime.imagefiles: listing, decoding every mode to RGB, failures, pixel limits."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from translate.errors import InputError
from translate.runtime.imagefiles import check_pixels, list_images, load_image, to_rgb


def _save_mode(tmp_path: Path, img: Image.Image, name: str) -> Path:
    p = tmp_path / name
    img.save(p)
    return p


def _px(img: Image.Image) -> tuple[int, int, int]:
    assert img.mode == "RGB"
    return tuple(int(v) for v in np.asarray(img)[0, 0])


@pytest.mark.parametrize(
    "mode, value, fmt, expected",
    [
        ("1", 1, "png", (255, 255, 255)),
        ("L", 77, "png", (77, 77, 77)),
        ("LA", (77, 255), "png", (77, 77, 77)),
        ("LA", (77, 0), "png", (255, 255, 255)),
        ("RGBA", (10, 20, 30, 255), "png", (10, 20, 30)),
        ("RGBA", (10, 20, 30, 0), "png", (255, 255, 255)),
        ("RGBA", (0, 0, 0, 128), "png", (127, 127, 127)),
        ("I;16", 65535, "png", (255, 255, 255)),
        ("I;16", 257 * 100, "png", (100, 100, 100)),
        ("I;16B", 257 * 200, "tiff", (200, 200, 200)),
        ("I", 65535, "tiff", (255, 255, 255)),
        ("F", 1.0, "tiff", (255, 255, 255)),
        ("F", 0.5, "tiff", (128, 128, 128)),
        ("CMYK", (0, 0, 0, 0), "tiff", (255, 255, 255)),
        ("CMYK", (0, 255, 255, 0), "tiff", (255, 0, 0)),
        ("YCbCr", (255, 128, 128), None, (255, 255, 255)),  # no common file format keeps YCbCr
        ("La", (100, 128), None, (227, 227, 227)),
        ("RGBa", (100, 50, 0, 128), None, (227, 177, 127)),
    ],
)
def test_mode_conversion(tmp_path, mode, value, fmt, expected):
    img = Image.new(mode, (4, 3), value)
    out = load_image(_save_mode(tmp_path, img, f"x.{fmt}")) if fmt else to_rgb(img)
    assert out.size == (4, 3)
    assert _px(out) == pytest.approx(expected, abs=1)


def test_sixteen_bit_is_scaled_not_clipped(tmp_path):
    a = np.array([[0, 1000, 30000, 65535]], dtype=np.uint16)
    p = _save_mode(tmp_path, Image.fromarray(a), "g16.png")
    out = np.asarray(load_image(p))[0, :, 0]
    assert list(out) == [0, 4, 117, 255]  # PIL's convert would clip 1000 and 30000 to 255


def test_int32_outside_16bit_range_is_min_max_scaled(tmp_path):
    a = np.array([[-100000, 0, 100000]], dtype=np.int32)
    out = np.asarray(load_image(_save_mode(tmp_path, Image.fromarray(a, "I"), "i.tiff")))[0, :, 0]
    assert list(out) == [0, 128, 255]


@pytest.mark.parametrize("alpha, expected", [("white", (255, 255, 255)), ("black", (0, 0, 0))])
def test_palette_transparency(tmp_path, alpha, expected):
    img = Image.new("P", (4, 4), 0)
    img.putpalette([200, 10, 10] + [0, 200, 0] * 255)
    img.putpixel((1, 1), 1)
    img.info["transparency"] = 0
    p = tmp_path / "p.png"
    img.save(p, transparency=0)
    out = load_image(p, alpha=alpha)
    assert _px(out) == expected
    assert tuple(np.asarray(out)[1, 1]) == (0, 200, 0)


def test_palette_opaque(tmp_path):
    img = Image.new("P", (2, 2), 0)
    img.putpalette([12, 34, 56] * 256)
    assert _px(load_image(_save_mode(tmp_path, img, "p.png"))) == (12, 34, 56)


@pytest.mark.parametrize("mode", ["LAB", "HSV"])
def test_colour_spaces_round_trip(tmp_path, mode):
    src = Image.new("RGB", (2, 2), (200, 60, 30))
    if mode == "LAB":  # TIFF stores CIELAB
        src.convert(mode).save(tmp_path / "c.tiff")
        out = load_image(tmp_path / "c.tiff")
    else:  # no common file format keeps HSV
        out = to_rgb(src.convert(mode))
    assert _px(out) == pytest.approx((200, 60, 30), abs=6)


def test_exif_orientation_applied(tmp_path):
    img = Image.new("RGB", (40, 20), (255, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees when displayed
    p = tmp_path / "r.jpg"
    img.save(p, exif=exif)
    assert load_image(p).size == (20, 40)


def _jpeg_bytes(w=64, h=64) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (h, w, 3), dtype=np.uint8)).save(buf, "JPEG")
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_truncated(tmp_path, fmt):
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(buf, fmt)
    data = buf.getvalue()
    p = tmp_path / f"3.{fmt.lower()}"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"^.*3\.(jpeg|png): truncated or corrupt image \(") as e:
        load_image(p)
    assert str(e.value).startswith(str(p))
    assert e.value.path == str(p)


def test_corrupt_and_non_image(tmp_path):
    bad = tmp_path / "3.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0" + b"garbage" * 50)
    with pytest.raises(InputError, match=r"3\.jpg: (truncated or corrupt image|not an image file)"):
        load_image(bad)
    txt = tmp_path / "a.txt"
    txt.write_text("hello")
    with pytest.raises(InputError, match=r"a\.txt: not an image file$"):
        load_image(txt)
    with pytest.raises(InputError, match="file not found"):
        load_image(tmp_path / "nope.png")


def test_pixel_limit_checked_before_decoding(tmp_path):
    p = tmp_path / "big.png"
    Image.new("RGB", (120, 100)).save(p)
    with pytest.raises(InputError) as e:
        load_image(p, max_pixels=10_000)
    msg = str(e.value)
    assert msg.startswith(f"{p}: 120x100 = ")
    assert "exceeds the" in msg and "MP limit (raise data.max_pixels)" in msg
    assert load_image(p, max_pixels=12_000).size == (120, 100)


def test_huge_header_never_decoded(tmp_path):
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 30000, 20000, 8, 2, 0, 0, 0)  # claims 600 MP, holds no pixels
    p = tmp_path / "bomb.png"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b""))
    with pytest.raises(InputError, match=r"bomb\.png: (30000x20000 = )?600\.0 MP exceeds the 40\.0 MP limit"):
        load_image(p)


def test_pixel_limit_message_format(tmp_path):
    with pytest.raises(InputError, match=r"^x/big\.png: 12000x12000 = 144\.0 MP exceeds the 40\.0 MP limit "
                                         r"\(raise data\.max_pixels\)$"):
        check_pixels("x/big.png", (12000, 12000), 40_000_000)


def test_list_images_natural_sort_hidden_recursive(tmp_path):
    for name in ["10.jpg", "2.jpg", "1.png", ".hidden.jpg", "notes.txt", "B.JPG"]:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "3.png").write_bytes(b"x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "4.png").write_bytes(b"x")
    assert [p.name for p in list_images(tmp_path)] == ["1.png", "2.jpg", "10.jpg", "B.JPG"]
    rec = [p.relative_to(tmp_path).as_posix() for p in list_images(tmp_path, recursive=True)]
    assert rec == ["1.png", "2.jpg", "10.jpg", "B.JPG", "sub/3.png"]
    assert list_images(tmp_path / "missing") == []
