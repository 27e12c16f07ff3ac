"""Vision images: sizes and token costs (domain.vision) and preparing pictures to send (media.images).

Every input is generated here with Pillow (or by hand, byte by byte, for the broken ones).
"""

from __future__ import annotations

import base64
import contextlib
import io
import os
import random
import struct
import sys
import time
import warnings
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageCms, ImageDraw, JpegImagePlugin, features

from desktop_assistant.domain.vision import Detail, image_tokens, target_size
from desktop_assistant.media import (
    MAX_FILE_BYTES,
    ImageError,
    ImageProblem,
    PreparedImage,
    data_url,
    prepare_image,
)

LOW, HIGH, AUTO = Detail.LOW, Detail.HIGH, Detail.AUTO
RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


# ---------------------------------------------------------------------------------------------------------
# Helpers


def encode(img: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **params)
    return out.getvalue()


def decoded(prepared: PreparedImage) -> Image.Image:
    img = Image.open(io.BytesIO(prepared.data))
    img.load()
    return img


def photo(width: int, height: int, seed: int = 1) -> Image.Image:
    """Gradients plus per-pixel noise: thousands of colours, none common, like a camera's picture."""
    random.seed(seed)
    base = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 40)
    return Image.merge("RGB", (
        Image.blend(base, noise, 0.35),
        Image.blend(base.transpose(Image.Transpose.FLIP_LEFT_RIGHT), noise, 0.35),
        Image.blend(Image.radial_gradient("L").resize((width, height)), noise, 0.35),
    ))


def screenshot(width: int, height: int) -> Image.Image:
    """Flat panels and text: a few colours covering most pixels."""
    img = Image.new("RGB", (width, height), (250, 250, 250))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, width, 30), fill=(40, 44, 52))
    draw.rectangle((0, 30, width // 4, height), fill=(228, 230, 235))
    for y in range(40, height - 12, 16):
        draw.text((width // 4 + 8, y), "def prepare(image): return image  # the quick brown fox", fill=(20, 20, 20))
    return img


def quadrant_colour(img: Image.Image, right: bool, bottom: bool) -> tuple[int, int, int]:
    x = img.width * (3 if right else 1) // 4
    y = img.height * (3 if bottom else 1) // 4
    return img.convert("RGB").getpixel((x, y))


def close_to(pixel: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected, strict=True))


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int, *extra_chunks: bytes) -> bytes:
    """A PNG header that claims a size, with a token IDAT: opening it allocates nothing."""
    ihdr = png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    return (b"\x89PNG\r\n\x1a\n" + ihdr + b"".join(extra_chunks) + png_chunk(b"IDAT", zlib.compress(b"\0" * 16))
            + png_chunk(b"IEND", b""))


def png_chunk_types(data: bytes) -> list[bytes]:
    kinds, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kinds.append(data[pos + 4:pos + 8])
        pos += 12 + length
    return kinds


def jpeg_markers(data: bytes) -> list[int]:
    """The segment markers of a JPEG up to its scan data."""
    markers, pos = [], 2
    while pos < len(data):
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        pos += 2 + length
    return markers


def swapped_primaries_profile() -> bytes:
    """A minimal ICC v2 RGB monitor profile whose red primary is sRGB's green and green is sRGB's red.

    A pixel stored as (255, 0, 0) under this profile is a pure green: converting it to sRGB is the only
    way it comes out green, so the test sees the profile applied and not just dropped.
    """
    def s15(v: float) -> bytes:
        return struct.pack(">i", round(v * 65536))

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ \0\0\0\0" + s15(x) + s15(y) + s15(z)

    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, round(2.2 * 256)) + b"\0\0"
    desc = b"desc\0\0\0\0" + struct.pack(">I", 8) + b"swapped\0" + b"\0" * 81
    srgb_red, srgb_green, srgb_blue = (0.4361, 0.2225, 0.0139), (0.3851, 0.7169, 0.0971), (0.1431, 0.0606, 0.7141)
    tags = [(b"desc", desc), (b"wtpt", xyz(0.9642, 1.0, 0.8249)), (b"rXYZ", xyz(*srgb_green)),
            (b"gXYZ", xyz(*srgb_red)), (b"bXYZ", xyz(*srgb_blue)), (b"rTRC", curve), (b"gTRC", curve),
            (b"bTRC", curve), (b"cprt", b"text\0\0\0\0none\0\0\0\0")]
    offset, table, body = 128 + 4 + 12 * len(tags), b"", b""
    for signature, data in tags:
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += data
    header = (struct.pack(">I", offset + len(body)) + b"lcms" + bytes([2, 0x10, 0, 0]) + b"mntrRGB XYZ "
              + b"\0" * 12 + b"acsp" + b"\0" * 28 + s15(0.9642) + s15(1.0) + s15(0.8249) + b"\0" * 48)
    return header + struct.pack(">I", len(tags)) + table + body


# ---------------------------------------------------------------------------------------------------------
# domain.vision: the documented rules


# (source size) -> (low size, high/auto size), worked by hand from the rules in domain/vision.py.
SIZES = {
    (10, 10): ((10, 10), (10, 10)),
    (512, 512): ((512, 512), (512, 512)),
    (513, 200): ((512, 200), (513, 200)),  # low: 200 * 512/513 = 199.6 -> 200
    (1000, 3000): ((171, 512), (683, 2048)),  # high: 2048/3000 binds (768/1000 doesn't); 682.7 -> 683
    (4000, 3000): ((512, 384), (1024, 768)),  # high: the short side to 768 binds
    (8000, 1000): ((512, 64), (2048, 256)),  # panorama: the 2048 box binds
    (2048, 768): ((512, 192), (2048, 768)),  # exactly on both limits: untouched
    (768, 2048): ((192, 512), (768, 2048)),
    (2049, 768): ((512, 192), (2048, 768)),  # one over the box: 768 * 2048/2049 = 767.6 -> 768
    (2048, 769): ((512, 192), (2045, 768)),  # one over the short side: 2048 * 768/769 = 2045.3 -> 2045
    (1024, 1024): ((512, 512), (768, 768)),
    (2048, 4096): ((256, 512), (768, 1536)),
}


@pytest.mark.parametrize("size", list(SIZES))
def test_target_size_follows_the_rules(size: tuple[int, int]) -> None:
    low, high = SIZES[size]
    assert target_size(*size, LOW) == low
    assert target_size(*size, HIGH) == high
    assert target_size(*size, AUTO) == high


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("detail", list(Detail))
def test_target_size_never_upscales_and_is_stable(size: tuple[int, int], detail: Detail) -> None:
    w, h = target_size(*size, detail)
    assert w <= size[0] and h <= size[1]
    assert target_size(w, h, detail) == (w, h)  # preparing an already prepared image changes nothing


def test_docs_worked_examples() -> None:
    # OpenAI vision guide, "Calculating costs".
    assert image_tokens(1024, 1024, HIGH) == 765  # 768x768, 4 tiles: 170 * 4 + 85
    assert image_tokens(2048, 4096, HIGH) == 1105  # 1024x2048 -> 768x1536, 6 tiles: 170 * 6 + 85
    assert image_tokens(4096, 8192, LOW) == 85


@pytest.mark.parametrize(("size", "tokens"), [
    ((10, 10), 255),  # 1 tile, not blown up to 768x768
    ((512, 512), 255),
    ((513, 200), 425),  # 2x1 tiles
    ((1000, 3000), 1445),  # 683x2048: 2x4 tiles
    ((4000, 3000), 765),  # 1024x768: 2x2
    ((8000, 1000), 765),  # 2048x256: 4x1
    ((2048, 768), 1445),  # 4x2
    ((6000, 4000), 1105),  # 1152x768: 3x2
])
def test_high_tokens_by_hand(size: tuple[int, int], tokens: int) -> None:
    assert image_tokens(*size, HIGH) == tokens
    assert image_tokens(*size, AUTO) == tokens  # auto is counted as high: an upper bound
    assert image_tokens(*size, LOW) == 85


def test_detail_accepts_its_wire_strings_and_refuses_nonsense() -> None:
    assert Detail("low") is LOW and str(HIGH) == "high"
    assert target_size(4000, 3000, "low") == (512, 384)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        image_tokens(10, 10, "medium")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        target_size(0, 10, HIGH)


# ---------------------------------------------------------------------------------------------------------
# media.images: sizes, tokens, formats


_SOURCES: dict[tuple[int, int], bytes] = {}


def source_png(size: tuple[int, int]) -> bytes:
    # Flat colours with a marked corner: cheap to encode at 8000x1000, and graphics, so the output is PNG.
    if size not in _SOURCES:
        img = Image.new("RGB", size, (200, 220, 240))
        ImageDraw.Draw(img).rectangle((0, 0, size[0] // 2, size[1] // 2), fill=RED)
        _SOURCES[size] = encode(img, "PNG", compress_level=1)
    return _SOURCES[size]


@pytest.mark.parametrize("size", [(10, 10), (512, 512), (513, 200), (1000, 3000), (4000, 3000), (8000, 1000),
                                  (2048, 768), (2049, 768), (2048, 769)])
@pytest.mark.parametrize("detail", list(Detail))
def test_prepared_size_and_tokens(size: tuple[int, int], detail: Detail) -> None:
    prepared = prepare_image(source_png(size), detail)
    expected = SIZES[size][0 if detail is LOW else 1]
    assert (prepared.width, prepared.height) == expected
    assert (prepared.original_width, prepared.original_height) == size
    assert prepared.tokens == image_tokens(*size, detail)
    with decoded(prepared) as out:
        assert out.size == expected
        assert quadrant_colour(out, right=False, bottom=False) == RED  # same picture, same way up


@pytest.mark.parametrize(("size", "detail", "expected"), [
    ((6000, 4000), HIGH, (1152, 768)),  # decoded at 1/4 (1500x1000), then LANCZOS
    ((6000, 4000), LOW, (512, 341)),  # decoded at 1/8 (750x500)
    ((4001, 2999), HIGH, (1025, 768)),  # odd sizes: the decoder rounds up, the resize lands exactly
    ((1000, 3000), AUTO, (683, 2048)),  # too close to the target for any reduced decode
])
def test_large_jpeg_uses_reduced_decode_and_lands_exactly(
    size: tuple[int, int], detail: Detail, expected: tuple[int, int]
) -> None:
    img = Image.new("RGB", size, (90, 120, 150))
    prepared = prepare_image(encode(img, "JPEG", quality=80), detail)
    assert (prepared.width, prepared.height) == expected
    assert prepared.mime == "image/jpeg" or prepared.mime == "image/png"
    with decoded(prepared) as out:
        assert out.size == expected
        assert close_to(out.getpixel((out.width // 2, out.height // 2)), (90, 120, 150), 4)


def test_path_and_bytes_give_the_same_result(tmp_path: Path) -> None:
    data = encode(photo(300, 200), "JPEG", quality=90)
    path = tmp_path / "photo.jpg"
    path.write_bytes(data)
    assert prepare_image(path, HIGH) == prepare_image(data, HIGH) == prepare_image(str(path), HIGH)


def test_data_url() -> None:
    prepared = prepare_image(encode(photo(64, 48), "PNG"), LOW)
    url = data_url(prepared)
    assert url.startswith("data:image/jpeg;base64,/9j/")  # base64 of the JPEG start, FF D8 FF
    assert base64.b64decode(url.split(",", 1)[1]) == prepared.data


def test_photo_becomes_jpeg_even_from_png() -> None:
    prepared = prepare_image(encode(photo(900, 600), "PNG"), HIGH)
    assert prepared.mime == "image/jpeg"
    with decoded(prepared) as out:
        assert out.format == "JPEG" and out.mode == "RGB"
        assert JpegImagePlugin.get_sampling(out) == 0  # 4:4:4: colour is not sampled at half resolution


def test_screenshot_becomes_png_even_from_a_big_one() -> None:
    prepared = prepare_image(encode(screenshot(2560, 1440), "PNG"), HIGH)
    assert prepared.mime == "image/png"
    assert (prepared.width, prepared.height) == (1365, 768)


def test_real_transparency_becomes_png_and_is_kept() -> None:
    img = photo(400, 300).convert("RGBA")
    img.putalpha(Image.linear_gradient("L").resize((400, 300)))
    prepared = prepare_image(encode(img, "PNG"), HIGH)
    assert prepared.mime == "image/png"
    with decoded(prepared) as out:
        assert out.mode == "RGBA"
        assert out.getpixel((200, 2))[3] < 10 and out.getpixel((200, 297))[3] > 245


def test_unused_alpha_is_dropped_so_a_photo_is_still_jpeg() -> None:
    img = photo(400, 300).convert("RGBA")  # opaque everywhere
    prepared = prepare_image(encode(img, "PNG"), HIGH)
    assert prepared.mime == "image/jpeg"


def test_grey_with_alpha_keeps_alpha() -> None:
    img = Image.new("LA", (50, 40), (128, 255))
    ImageDraw.Draw(img).rectangle((0, 0, 24, 39), fill=(0, 0))
    prepared = prepare_image(encode(img, "PNG"), HIGH)
    with decoded(prepared) as out:
        assert prepared.mime == "image/png" and out.mode == "LA"
        assert out.getpixel((5, 5))[1] == 0 and out.getpixel((45, 5)) == (128, 255)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_grayscale_stays_grayscale(fmt: str) -> None:
    img = Image.linear_gradient("L").resize((300, 200))
    prepared = prepare_image(encode(img, fmt), HIGH)
    with decoded(prepared) as out:
        assert out.mode == "L"


def test_black_and_white_bitmap() -> None:
    img = Image.new("1", (64, 64), 0)
    ImageDraw.Draw(img).rectangle((32, 0, 63, 63), fill=1)
    with decoded(prepare_image(encode(img, "BMP"), HIGH)) as out:
        assert out.mode == "L" and out.getpixel((10, 10)) == 0 and out.getpixel((50, 10)) == 255


@pytest.mark.parametrize("fmt", ["JPEG", "TIFF"])
def test_cmyk_becomes_rgb(fmt: str) -> None:
    img = Image.new("CMYK", (80, 60), (0, 255, 255, 0))  # no cyan, full magenta and yellow: red
    with decoded(prepare_image(encode(img, fmt), HIGH)) as out:
        assert out.mode == "RGB"
        assert close_to(out.getpixel((40, 30)), RED, 10)


def test_16_bit_grey_png_is_scaled_not_clipped() -> None:
    img = Image.new("I;16", (64, 32), 0x4000)
    ImageDraw.Draw(img).rectangle((32, 0, 63, 31), fill=0xC000)
    assert Image.open(io.BytesIO(encode(img, "PNG"))).mode == "I;16"
    with decoded(prepare_image(encode(img, "PNG"), HIGH)) as out:
        assert out.mode == "L"
        assert out.getpixel((8, 16)) == 0x40 and out.getpixel((56, 16)) == 0xC0


def test_32_bit_integer_tiff() -> None:
    img = Image.new("I", (64, 32), 40000)
    with decoded(prepare_image(encode(img, "TIFF"), HIGH)) as out:
        assert out.mode == "L" and out.getpixel((8, 8)) == 40000 // 256


def test_float_tiff() -> None:
    img = Image.new("F", (64, 32), 0.5)
    with decoded(prepare_image(encode(img, "TIFF"), HIGH)) as out:
        assert out.mode == "L" and abs(out.getpixel((8, 8)) - 128) <= 1


def test_palette_with_transparency() -> None:
    img = Image.new("P", (60, 40), 1)
    img.putpalette([0, 0, 0, 255, 0, 0, 0, 0, 255])
    ImageDraw.Draw(img).rectangle((30, 0, 59, 39), fill=2)
    img.info["transparency"] = 2  # the blue half is see-through
    prepared = prepare_image(encode(img, "PNG", transparency=2), HIGH)
    with decoded(prepared) as out:
        assert prepared.mime == "image/png" and out.mode == "RGBA"
        assert out.getpixel((10, 10)) == (*RED, 255) and out.getpixel((50, 10))[3] == 0


def test_palette_without_transparency() -> None:
    img = Image.new("P", (60, 40), 1)
    img.putpalette([0, 0, 0, 255, 0, 0])
    prepared = prepare_image(encode(img, "GIF"), HIGH)
    with decoded(prepared) as out:
        assert prepared.mime == "image/png" and out.mode == "RGB" and out.getpixel((5, 5)) == RED


def animation() -> list[Image.Image]:
    return [Image.new("RGB", (48, 32), colour) for colour in (RED, GREEN, BLUE)]


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "PNG"])  # PNG: APNG
def test_animation_sends_its_first_frame(fmt: str) -> None:
    first, *rest = animation()
    params: dict[str, object] = {"save_all": True, "append_images": rest, "duration": 100, "loop": 0}
    if fmt == "WEBP":
        params["lossless"] = True
    data = encode(first, fmt, **params)
    with Image.open(io.BytesIO(data)) as source:
        assert source.n_frames == 3
    prepared = prepare_image(data, HIGH)
    with decoded(prepared) as out:
        assert not getattr(out, "is_animated", False)
        assert close_to(out.convert("RGB").getpixel((24, 16)), RED, 2)


FORMATS = ["JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "MPO"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_accepted_format(fmt: str) -> None:
    img = photo(120, 80)
    params: dict[str, object] = {}
    if fmt == "MPO":  # a camera's JPEG with a second picture
        params = {"save_all": True, "append_images": [photo(60, 40, seed=2)]}
    data = encode(img, fmt, **params)
    with Image.open(io.BytesIO(data)) as source:
        assert source.format == fmt
    prepared = prepare_image(data, HIGH)
    assert (prepared.width, prepared.height) == (120, 80)
    # A photo is sent as JPEG, except from a GIF: 256 colours at most, so it reads as a drawing.
    assert prepared.mime == ("image/png" if fmt == "GIF" else "image/jpeg")


# ---------------------------------------------------------------------------------------------------------
# EXIF orientation


def marked(width: int = 64, height: int = 32) -> Image.Image:
    """Stored top-left quadrant red, top-right green, the bottom half blue."""
    img = Image.new("RGB", (width, height), BLUE)
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, width // 2 - 1, height // 2 - 1), fill=RED)
    draw.rectangle((width // 2, 0, width - 1, height // 2 - 1), fill=GREEN)
    return img


# Where a viewer shows the stored top-left (red) and top-right (green) corners, from the EXIF spec's wording
# ("the 0th row is the visual right-hand side, the 0th column the visual top" for 6, and so on):
# (right?, bottom?) of each.
SHOWN = {
    1: ((False, False), (True, False)),
    2: ((True, False), (False, False)),  # mirrored left-right
    3: ((True, True), (False, True)),  # upside down
    4: ((False, True), (True, True)),  # mirrored top-bottom
    5: ((False, False), (False, True)),  # transposed
    6: ((True, False), (True, True)),  # stored lying on its left side: turn 90° clockwise
    7: ((True, True), (True, False)),  # transversed
    8: ((False, True), (False, False)),  # turn 90° anticlockwise
}


def _exif(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


def with_orientation(img: Image.Image, orientation: int, fmt: str) -> bytes:
    if fmt == "TIFF":  # the orientation is a tag of the TIFF itself
        return encode(img, fmt, tiffinfo={0x0112: orientation})
    return encode(img, fmt, exif=_exif(orientation), **({"lossless": True} if fmt == "WEBP" else {}))


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "TIFF"])
def test_exif_orientation(orientation: int, fmt: str) -> None:
    prepared = prepare_image(with_orientation(marked(), orientation, fmt), HIGH)
    upright = (32, 64) if orientation >= 5 else (64, 32)
    assert (prepared.width, prepared.height) == upright
    assert (prepared.original_width, prepared.original_height) == upright
    red_at, green_at = SHOWN[orientation]
    with decoded(prepared) as out:
        assert out.size == upright
        assert close_to(quadrant_colour(out, *red_at), RED, 40)
        assert close_to(quadrant_colour(out, *green_at), GREEN, 40)
        assert 0x0112 not in out.getexif()


def test_orientation_with_reduced_decode_swaps_the_target() -> None:
    # A portrait phone photo stored landscape: 3000x2000 with orientation 6 is shown 2000x3000.
    prepared = prepare_image(encode(photo(3000, 2000), "JPEG", exif=_exif(6)), HIGH)
    assert (prepared.original_width, prepared.original_height) == (2000, 3000)
    assert (prepared.width, prepared.height) == (768, 1152)
    assert prepared.tokens == image_tokens(2000, 3000, HIGH) == 85 + 170 * 2 * 3


@pytest.mark.parametrize("value", [0, 9, 255])
def test_nonsense_orientation_is_ignored(value: int) -> None:
    prepared = prepare_image(encode(marked(), "JPEG", exif=_exif(value)), HIGH)
    with decoded(prepared) as out:
        assert out.size == (64, 32) and close_to(quadrant_colour(out, False, False), RED, 40)


# ---------------------------------------------------------------------------------------------------------
# Metadata


def camera_exif(gps: bool = True) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0131] = "EditorApp 1.0"  # Software
    exif[0x0112] = 1
    if gps:
        exif[0x8825] = {1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)}  # Paris
    return exif


XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="Jane Secret"/></rdf:RDF>'
       b"</x:xmpmeta>")
SRGB_ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def assert_clean(prepared: PreparedImage) -> None:
    for secret in (b"SecretCam", b"Model X", b"EditorApp", b"Jane Secret", b"Exif", b"xmpmeta", b"ICC_PROFILE",
                   b"a comment", b"Author"):
        assert secret not in prepared.data
    with decoded(prepared) as out:
        assert len(out.getexif()) == 0
        for key in ("icc_profile", "exif", "comment", "xmp", "XML:com.adobe.xmp", "dpi", "Author", "Comment"):
            assert key not in out.info
        if out.format == "PNG":
            assert set(png_chunk_types(prepared.data)) <= {b"IHDR", b"IDAT", b"IEND"}
            assert not out.text
        else:
            # SOI, APP0 (JFIF), quantisation and Huffman tables, frame, scan: no APP1 (EXIF/XMP), APP2 (ICC),
            # APP13 (IPTC) or COM.
            assert set(jpeg_markers(prepared.data)) <= {0xD8, 0xE0, 0xDB, 0xC4, 0xC0, 0xC1, 0xC2, 0xDA}


def test_jpeg_metadata_is_stripped() -> None:
    data = encode(photo(400, 300), "JPEG", exif=camera_exif(), xmp=XMP, comment=b"a comment",
                  icc_profile=SRGB_ICC, dpi=(300, 300))
    with Image.open(io.BytesIO(data)) as source:  # the input really carries all of it
        assert source.getexif()[0x010F] == "SecretCam" and source.getexif().get_ifd(0x8825)
        assert {"icc_profile", "comment", "xmp"} <= set(source.info)
    prepared = prepare_image(data, HIGH)
    assert prepared.mime == "image/jpeg"
    assert_clean(prepared)


def test_png_metadata_is_stripped() -> None:
    from PIL import PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Jane Secret")
    text.add_text("Comment", "a comment", zip=True)
    text.add_itxt("XML:com.adobe.xmp", XMP.decode())
    data = encode(screenshot(300, 200), "PNG", pnginfo=text, exif=camera_exif(), icc_profile=SRGB_ICC)
    prepared = prepare_image(data, HIGH)
    assert prepared.mime == "image/png"
    assert_clean(prepared)


@pytest.mark.parametrize("fmt", ["WEBP", "TIFF"])
def test_other_formats_metadata_is_stripped(fmt: str) -> None:
    # Pillow's TIFF writer can't nest a GPS block given as a dict.
    data = encode(photo(200, 150), fmt, exif=camera_exif(gps=fmt != "TIFF"), xmp=XMP, icc_profile=SRGB_ICC)
    assert_clean(prepare_image(data, HIGH))


def test_gif_comment_is_stripped() -> None:
    data = encode(Image.new("P", (40, 30), 0), "GIF", comment=b"a comment")
    assert_clean(prepare_image(data, HIGH))


def test_icc_profile_is_applied_then_dropped() -> None:
    data = encode(Image.new("RGB", (40, 30), RED), "PNG", icc_profile=swapped_primaries_profile())
    prepared = prepare_image(data, HIGH)
    assert_clean(prepared)
    with decoded(prepared) as out:
        assert close_to(out.getpixel((20, 15)), GREEN, 3)  # what the profile says the pixel looks like


def test_icc_profile_of_a_cmyk_jpeg_is_used_when_it_is_one() -> None:
    # An RGB profile on a CMYK image doesn't fit: ignored, and the plain conversion is used.
    data = encode(Image.new("CMYK", (40, 30), (0, 255, 255, 0)), "JPEG", icc_profile=SRGB_ICC)
    with decoded(prepare_image(data, HIGH)) as out:
        assert close_to(out.getpixel((20, 15)), RED, 10)


def test_broken_icc_profile_is_ignored() -> None:
    data = encode(Image.new("RGB", (40, 30), RED), "PNG", icc_profile=b"not a profile at all")
    prepared = prepare_image(data, HIGH)
    assert_clean(prepared)
    with decoded(prepared) as out:
        assert out.getpixel((20, 15)) == RED


def test_broken_exif_is_ignored() -> None:
    good = encode(marked(), "JPEG", exif=_exif(6))
    start = good.index(b"Exif\0\0") + 6
    broken = good[:start] + b"XX\x00\x2a" + b"\xff" * 16 + good[start + 20:]  # not a TIFF header any more
    prepared = prepare_image(broken, HIGH)
    assert (prepared.width, prepared.height) == (64, 32)  # orientation unknown: shown as stored


# ---------------------------------------------------------------------------------------------------------
# Refused inputs


def jpeg_bytes() -> bytes:
    return encode(photo(200, 150), "JPEG", quality=90)


def png_bytes() -> bytes:
    return encode(photo(200, 150), "PNG")


def png_with_corrupt_middle() -> bytes:
    data = bytearray(png_bytes())
    middle = len(data) // 2
    data[middle:middle + 64] = bytes(64)  # inside the IDAT stream
    return bytes(data)


def jpeg_claiming(width: int, height: int) -> bytes:
    data = bytearray(encode(Image.new("RGB", (16, 16)), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def ztxt_bomb() -> bytes:
    # 20 MB of text squeezed into a 20 KB chunk: PngImagePlugin refuses to inflate past 1 MB.
    chunk = png_chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"A" * 20_000_000, 9))
    return png_claiming(2, 2, chunk)


def other_format(fmt: str) -> bytes:
    img = photo(32, 32)
    if fmt == "ICO":
        return encode(img, fmt, sizes=[(32, 32)])
    return encode(img.convert("RGB"), fmt)


def random_bytes(n: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(n)


BAD_BYTES: dict[str, tuple[bytes, ImageProblem]] = {
    "empty": (b"", ImageProblem.EMPTY),
    "text": (b"Hello, this is just a note.\nNothing to see.\n" * 20, ImageProblem.NOT_AN_IMAGE),
    "pdf": (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" * 5, ImageProblem.NOT_AN_IMAGE),
    "html": (b"<!DOCTYPE html><html><head><title>x</title></head><body><img src=a.png></body></html>",
             ImageProblem.NOT_AN_IMAGE),
    "svg": (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
            b'<circle cx="50" cy="50" r="40" fill="red"/></svg>', ImageProblem.NOT_AN_IMAGE),
    "json": (b'{"image": "cat.png", "width": 640}', ImageProblem.NOT_AN_IMAGE),
    "zip": (b"PK\x03\x04" + bytes(200), ImageProblem.NOT_AN_IMAGE),
    "text starting BM": (b"BMW is a car maker from Munich. " * 4, ImageProblem.NOT_AN_IMAGE),
    "random 1 KB": (random_bytes(1024, 1), ImageProblem.NOT_AN_IMAGE),
    "random 100 KB": (random_bytes(100_000, 2), ImageProblem.NOT_AN_IMAGE),
    "one byte": (b"\xff", ImageProblem.NOT_AN_IMAGE),
    "truncated JPEG": (jpeg_bytes()[: len(jpeg_bytes()) // 2], ImageProblem.CORRUPT),
    "truncated PNG": (png_bytes()[: len(png_bytes()) // 2], ImageProblem.CORRUPT),
    "PNG with a corrupt middle": (png_with_corrupt_middle(), ImageProblem.CORRUPT),
    "JPEG signature only": (b"\xff\xd8\xff\xe0\x00\x10JFIF", ImageProblem.CORRUPT),
    "PNG signature only": (b"\x89PNG\r\n\x1a\n", ImageProblem.CORRUPT),
    "PNG header with a bad CRC": (png_claiming(10, 10)[:29] + b"\0\0\0\0" + png_claiming(10, 10)[33:],
                                  ImageProblem.CORRUPT),
    "GIF cut short": (encode(photo(100, 80), "GIF")[:300], ImageProblem.CORRUPT),
    "WebP cut short": (encode(photo(100, 80), "WEBP")[:200], ImageProblem.CORRUPT),
    "BMP cut short": (encode(photo(100, 80), "BMP")[:2000], ImageProblem.CORRUPT),
    "TIFF cut short": (encode(photo(100, 80), "TIFF")[:2000], ImageProblem.CORRUPT),
    "zero-width PNG": (png_claiming(0, 10), ImageProblem.CORRUPT),
    "PNG claiming 100000x100000": (png_claiming(100_000, 100_000), ImageProblem.DECOMPRESSION_BOMB),
    "JPEG claiming 65000x65000": (jpeg_claiming(65_000, 65_000), ImageProblem.DECOMPRESSION_BOMB),
    "PNG zTXt bomb": (ztxt_bomb(), ImageProblem.DECOMPRESSION_BOMB),
    "ICO": (other_format("ICO"), ImageProblem.UNSUPPORTED_FORMAT),
    "TGA": (other_format("TGA"), ImageProblem.UNSUPPORTED_FORMAT),
    "PCX": (other_format("PCX"), ImageProblem.UNSUPPORTED_FORMAT),
    "PPM": (other_format("PPM"), ImageProblem.UNSUPPORTED_FORMAT),
    "SGI": (other_format("SGI"), ImageProblem.UNSUPPORTED_FORMAT),
}
if features.check("jpg_2000"):
    BAD_BYTES["JPEG 2000"] = (other_format("JPEG2000"), ImageProblem.UNSUPPORTED_FORMAT)
if features.check("avif"):
    BAD_BYTES["AVIF"] = (other_format("AVIF"), ImageProblem.UNSUPPORTED_FORMAT)


@pytest.mark.parametrize("name", list(BAD_BYTES))
def test_bad_bytes_are_refused_with_their_kind(name: str) -> None:
    data, kind = BAD_BYTES[name]
    start = time.perf_counter()
    with pytest.raises(ImageError) as caught:
        prepare_image(data, HIGH)
    assert caught.value.kind is kind, caught.value
    assert time.perf_counter() - start < 1.0  # bombs are refused from their header, not decoded


def test_bomb_header_allocates_nothing() -> None:
    import tracemalloc

    data = png_claiming(100_000, 100_000)
    tracemalloc.start()
    try:
        with pytest.raises(ImageError):
            prepare_image(data, HIGH)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000  # far from the 30 GB the header claims


def test_pillow_bomb_warning_is_an_error_under_any_warning_filter() -> None:
    # 10000x9000 is over Pillow's 89.5 MP warning limit and under its 179 MP error limit.
    data = png_claiming(10_000, 9_000)
    with pytest.raises(ImageError) as caught:  # warnings are errors in this test suite
        prepare_image(data, HIGH)
    assert caught.value.kind is ImageProblem.DECOMPRESSION_BOMB
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # as in the app: the warning is only printed
        with pytest.warns(Image.DecompressionBombWarning), pytest.raises(ImageError) as caught:
            prepare_image(data, HIGH)
    assert caught.value.kind is ImageProblem.DECOMPRESSION_BOMB


def test_too_large_bytes() -> None:
    with pytest.raises(ImageError) as caught:
        prepare_image(bytes(MAX_FILE_BYTES + 1), HIGH)
    assert caught.value.kind is ImageProblem.TOO_LARGE


def test_too_large_file_is_refused_without_reading_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "huge.png"
    with path.open("wb") as f:
        f.write(png_bytes())
        f.truncate(51 * 1024 * 1024)  # sparse: no disk space used
    opened: list[Path] = []
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: opened.append(self))
    with pytest.raises(ImageError) as caught:
        prepare_image(path, HIGH)
    assert caught.value.kind is ImageProblem.TOO_LARGE
    assert opened == []


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.touch()
    with pytest.raises(ImageError) as caught:
        prepare_image(path, HIGH)
    assert caught.value.kind is ImageProblem.EMPTY


def test_misnamed_file_is_judged_by_its_content(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_text("shopping list: milk, eggs\n")
    with pytest.raises(ImageError) as caught:
        prepare_image(path, HIGH)
    assert caught.value.kind is ImageProblem.NOT_AN_IMAGE
    real = tmp_path / "photo.txt"
    real.write_bytes(jpeg_bytes())
    assert prepare_image(real, LOW).mime == "image/jpeg"


def unreadable_paths(tmp_path: Path) -> dict[str, Path]:
    paths = {"missing": tmp_path / "no-such-file.png", "folder": tmp_path}
    dangling = tmp_path / "dangling.png"
    dangling.symlink_to(tmp_path / "gone.png")
    paths["dangling symlink"] = dangling
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe.png"
        os.mkfifo(fifo)  # opening it would block until a writer came
        paths["fifo"] = fifo
    return paths


@pytest.mark.parametrize("name", ["missing", "folder", "dangling symlink", "fifo"])
def test_unreadable_paths(tmp_path: Path, name: str) -> None:
    paths = unreadable_paths(tmp_path)
    if name not in paths:
        pytest.skip("no FIFOs here")
    with pytest.raises(ImageError) as caught:
        prepare_image(paths[name], HIGH)
    assert caught.value.kind is ImageProblem.UNREADABLE


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root (or Windows) reads anything")
def test_file_without_read_permission(tmp_path: Path) -> None:
    path = tmp_path / "secret.jpg"
    path.write_bytes(jpeg_bytes())
    path.chmod(0)
    try:
        with pytest.raises(ImageError) as caught:
            prepare_image(path, HIGH)
        assert caught.value.kind is ImageProblem.UNREADABLE
    finally:
        path.chmod(0o600)


def test_wrong_detail_is_a_caller_bug_not_a_picture_problem() -> None:
    with pytest.raises(ValueError) as caught:
        prepare_image(png_bytes(), "medium")  # type: ignore[arg-type]
    assert not isinstance(caught.value, ImageError)
    assert prepare_image(png_bytes(), "low").tokens == 85  # type: ignore[arg-type]


def test_error_carries_kind_and_detail() -> None:
    with pytest.raises(ImageError) as caught:
        prepare_image(png_claiming(100_000, 100_000), HIGH)
    assert caught.value.detail and str(caught.value).startswith("decompression_bomb: ")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF"])
def test_damaged_files_raise_only_image_error(fmt: str) -> None:
    # Flip bytes anywhere in small valid files: each one is prepared or refused, and nothing else escapes.
    good = encode(marked(40, 30), fmt, exif=_exif(6)) if fmt in ("JPEG", "PNG", "WEBP") else encode(
        marked(40, 30), fmt)
    rng = random.Random(fmt)
    for _ in range(40):
        data = bytearray(good)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        cut = rng.choice([len(data), rng.randrange(1, len(data) + 1)])
        with contextlib.suppress(ImageError):
            prepare_image(bytes(data[:cut]), rng.choice(list(Detail)))
