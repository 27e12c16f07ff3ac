"""Turn a picture the user dropped, pasted or picked into what a vision request carries.

`prepare_image` is pure CPU work (decode, resize, encode: tens of milliseconds for a 24 MP photo); call it
off the UI thread. It sends only what the model can use: the image is shrunk to `target_size` for its
detail, turned upright by its EXIF orientation, converted to sRGB, and re-encoded without any metadata
(EXIF with GPS, XMP, ICC profile, comments, PNG text chunks).

Output format: PNG when the image really uses transparency or looks like a screenshot or a drawing (flat
colours, sharp text: JPEG would smear it), JPEG otherwise. See `_looks_like_graphics` for the test.
"""

from __future__ import annotations

import base64
import heapq
import io
import os
import stat
import struct
from dataclasses import dataclass
from pathlib import Path

from PIL import ExifTags, Image, ImageCms, UnidentifiedImageError

from desktop_assistant.domain.vision import Detail, image_tokens, target_size
from desktop_assistant.media.image_errors import ImageError, ImageProblem

MAX_FILE_BYTES = 50 * 1024 * 1024
# Pillow's own default (about 0.25 GiB decoded as RGB); Pillow warns above it and refuses at twice it. We
# refuse above it in every case, whatever the process's warning filters say.
MAX_PIXELS = 89_478_485
# The decoders we let near a user's file. Anything else Pillow could read (ICO, PSD, TGA, ...) is refused:
# fewer decoders run on untrusted data, and the API itself takes only PNG, JPEG, WebP and GIF. The JPEG
# decoder also opens MPO, the JPEG of cameras and phones that carry a second picture (a depth map, a preview).
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")
_JPEG_FORMATS = ("JPEG", "MPO")
JPEG_QUALITY = 85
# The screenshot test looks at at most this many pixels a side, sampled without blending.
_SAMPLE_SIDE = 256

# EXIF orientation -> the transpose that shows the image upright (ImageOps.exif_transpose's table).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SWAPS_SIDES = frozenset({5, 6, 7, 8})

# Leading bytes of the accepted formats: a file that starts like one but that Pillow can't open is corrupt,
# not "not an image".
_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")
_BMP_HEADER_SIZES = frozenset({12, 40, 52, 56, 64, 108, 124})


@dataclass(frozen=True, slots=True)
class PreparedImage:
    data: bytes  # the encoded image, metadata-free
    mime: str  # "image/jpeg" or "image/png"
    width: int  # of `data`
    height: int
    original_width: int  # as a viewer shows the original, i.e. after its EXIF orientation
    original_height: int
    tokens: int  # what the image costs at the detail it was prepared for


def prepare_image(source: bytes | str | os.PathLike[str], detail: Detail) -> PreparedImage:
    """Read, shrink, clean and re-encode a picture for `detail`. Raises `ImageError`, and nothing else."""
    detail = Detail(detail)  # a wrong value is the caller's bug: ValueError, not a problem with the picture
    data = _read(source)
    try:
        return _prepare(data, detail)
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        # The warning arrives as an exception where warnings are errors (tests, `python -W error`).
        raise ImageError(ImageProblem.DECOMPRESSION_BOMB, str(e)) from e
    except MemoryError as e:
        raise ImageError(ImageProblem.DECOMPRESSION_BOMB, "not enough memory to decode it") from e
    except Exception as e:
        # Pillow's decoders raise a wide, undocumented range of types on broken input (OSError, SyntaxError,
        # ValueError, EOFError, struct.error, IndexError, ...): all of them mean the data can't be decoded.
        if _is_text_chunk_bomb(e):
            raise ImageError(ImageProblem.DECOMPRESSION_BOMB, str(e)) from e
        raise ImageError(ImageProblem.CORRUPT, f"{type(e).__name__}: {e}") from e


def data_url(prepared: PreparedImage) -> str:
    """The `image_url.url` of a chat completions content part."""
    return f"data:{prepared.mime};base64,{base64.b64encode(prepared.data).decode('ascii')}"


def _read(source: bytes | str | os.PathLike[str]) -> bytes:
    data = bytes(source) if isinstance(source, bytes | bytearray | memoryview) else _read_file(Path(source))
    if not data:
        raise ImageError(ImageProblem.EMPTY)
    if len(data) > MAX_FILE_BYTES:
        raise ImageError(ImageProblem.TOO_LARGE, f"{len(data)} bytes")
    return data


def _read_file(path: Path) -> bytes:
    try:
        info = path.stat()
    except OSError as e:
        raise ImageError(ImageProblem.UNREADABLE, f"{type(e).__name__}: {e}") from e
    if stat.S_ISDIR(info.st_mode):
        raise ImageError(ImageProblem.UNREADABLE, f"{path} is a folder")
    if not stat.S_ISREG(info.st_mode):
        # A FIFO or a device would block or never end.
        raise ImageError(ImageProblem.UNREADABLE, f"{path} is not a regular file")
    # Refuse by size before reading a byte, and read at most one byte past the limit in case it grew since.
    if info.st_size > MAX_FILE_BYTES:
        raise ImageError(ImageProblem.TOO_LARGE, f"{info.st_size} bytes")
    try:
        with path.open("rb") as f:
            return f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise ImageError(ImageProblem.UNREADABLE, f"{type(e).__name__}: {e}") from e


def _prepare(data: bytes, detail: Detail) -> PreparedImage:
    with _open(data) as img:
        is_jpeg = img.format in _JPEG_FORMATS
        if not is_jpeg:
            img.load()  # a PNG's EXIF may follow its pixels: read everything before asking for it
        orientation = _orientation(img)
        stored_w, stored_h = img.size
        swaps = orientation in _SWAPS_SIDES
        shown = (stored_h, stored_w) if swaps else (stored_w, stored_h)
        out_w, out_h = target_size(*shown, detail)
        stored_target = (out_h, out_w) if swaps else (out_w, out_h)
        if is_jpeg:
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale, never below the target: this is what makes a
            # 24 MP photo fast.
            img.draft(img.mode, stored_target)
        img.load()  # decode now, so a truncated file fails here (LOAD_TRUNCATED_IMAGES stays off)

        icc = img.info.get("icc_profile")
        work = _resizable(img)
        graphics = _looks_like_graphics(work)
        if work.size != stored_target:
            # reducing_gap as Image.thumbnail: from 4x down, a cheap box reduce first, then LANCZOS.
            work = work.resize(stored_target, Image.Resampling.LANCZOS, reducing_gap=2.0)
        if orientation in _UPRIGHT:
            work = work.transpose(_UPRIGHT[orientation])
        work = _without_unused_alpha(_to_srgb(work, icc))
        as_png = work.mode in ("RGBA", "LA") or graphics
        return PreparedImage(
            data=_encode(work, as_png),
            mime="image/png" if as_png else "image/jpeg",
            width=work.width,
            height=work.height,
            original_width=shown[0],
            original_height=shown[1],
            tokens=image_tokens(work.width, work.height, detail),
        )


def _open(data: bytes) -> Image.Image:
    try:
        img = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except UnidentifiedImageError:
        raise _unidentified(data) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, KeyError, struct.error) as e:
        # Some decoders raise, rather than decline, on data that merely starts like their format ("BM...").
        if _is_text_chunk_bomb(e):
            raise
        raise _unidentified(data) from e
    if img.width < 1 or img.height < 1:
        img.close()
        raise ImageError(ImageProblem.CORRUPT, f"size {img.width}x{img.height}")
    if img.width * img.height > MAX_PIXELS:
        img.close()
        raise ImageError(ImageProblem.DECOMPRESSION_BOMB, f"{img.width}x{img.height} pixels")
    return img


def _unidentified(data: bytes) -> ImageError:
    """Why none of the accepted decoders took `data`."""
    if _starts_like_accepted_format(data):
        return ImageError(ImageProblem.CORRUPT, "the header of a supported format, but unreadable")
    try:
        # Only the header is parsed: enough to name the format of an image we don't take.
        with Image.open(io.BytesIO(data)) as other:
            return ImageError(ImageProblem.UNSUPPORTED_FORMAT, str(other.format))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return ImageError(ImageProblem.UNSUPPORTED_FORMAT, "an image format we don't take")
    except Exception:  # any failure to identify it, whatever Pillow raises, means it is not an image
        return ImageError(ImageProblem.NOT_AN_IMAGE)


def _starts_like_accepted_format(data: bytes) -> bool:
    if data.startswith(_SIGNATURES):
        return True
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return True
    # "BM" alone would catch text files; Pillow also checks the size of the header that follows.
    return data[:2] == b"BM" and int.from_bytes(data[14:18], "little") in _BMP_HEADER_SIZES


def _is_text_chunk_bomb(e: Exception) -> bool:
    # PngImagePlugin's limits on zTXt/iTXt/iCCP chunks that inflate to megabytes.
    return isinstance(e, ValueError) and str(e).startswith(
        ("Decompressed data too large", "Too much memory used in text chunks")
    )


def _orientation(img: Image.Image) -> int:
    try:
        value = img.getexif().get(ExifTags.Base.Orientation, 1)
    except Exception:  # a broken EXIF block is metadata we drop anyway: show the pixels as stored
        return 1
    return value if isinstance(value, int) and value in _UPRIGHT else 1


def _resizable(img: Image.Image) -> Image.Image:
    """`img` in one of L, LA, RGB, RGBA or CMYK: 8 bits a channel, which LANCZOS resizes properly."""
    mode = img.mode
    if mode in ("L", "LA", "RGB", "RGBA", "CMYK"):
        return img
    if mode in ("P", "PA"):
        return img.convert("RGBA" if img.has_transparency_data else "RGB")
    if mode == "1":
        return img.convert("L")
    if mode.startswith("I;16"):
        img = img.convert("I")
        mode = "I"
    if mode == "I":
        # 16-bit samples (0..65535) -> 8 bits; convert("L") alone would clip everything above 255 to white.
        return img.point(lambda v: v / 256).convert("L")
    if mode == "F":
        # Floating-point TIFFs hold 0..1 by convention; stretch anything else to its own range.
        low, high = img.getextrema()
        if low >= 0 and high <= 1:
            return img.point(lambda v: v * 255).convert("L")
        span = (high - low) or 1
        return img.point(lambda v: (v - low) * 255 / span).convert("L")
    try:
        return img.convert("RGBA" if "A" in img.getbands() or mode in ("La", "RGBa") else "RGB")
    except ValueError as e:  # a colour model Pillow reads but can't turn into RGB (e.g. LAB)
        raise ImageError(ImageProblem.UNSUPPORTED_FORMAT, f"colour mode {mode}") from e


def _looks_like_graphics(img: Image.Image) -> bool:
    """Whether the image looks like a screenshot, a chart or a drawing rather than a photo.

    Looks at up to 256x256 pixels picked without blending (NEAREST invents no colours). Graphics have
    either few colours (at most 256: icons, GIFs, diagrams) or large flat areas: their 16 most common
    colours cover at least half the sample (window backgrounds, page margins). A photo's sensor noise and
    gradients spread its pixels over thousands of colours, none common. JPEG sources usually fail the
    test (compression noise) and stay JPEG, which loses nothing they still had.
    """
    sample = img
    if max(img.size) > _SAMPLE_SIDE:
        scale = _SAMPLE_SIDE / max(img.size)
        size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
        sample = img.resize(size, Image.Resampling.NEAREST)
    total = sample.width * sample.height
    colours = sample.getcolors(maxcolors=total) or []
    if len(colours) <= 256:
        return True
    common = sum(count for count, _ in heapq.nlargest(16, colours, key=lambda c: c[0]))
    return common * 2 >= total


def _to_srgb(img: Image.Image, icc: bytes | None) -> Image.Image:
    """Colours converted to sRGB by the embedded profile (then dropped), so they look right without it."""
    if icc:
        converted = _apply_profile(img, icc)
        if converted is not None:
            img = converted
    if img.mode == "CMYK":
        img = img.convert("RGB")
    return img


def _apply_profile(img: Image.Image, icc: bytes) -> Image.Image | None:
    """`img` converted to sRGB, or None where the profile doesn't apply or is already sRGB."""
    # Grey profiles are left alone: a grey gamma of about 2.2 already shows as sRGB would.
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        space = profile.profile.xcolor_space.strip()
        if not ((space == "RGB" and img.mode in ("RGB", "RGBA")) or (space == "CMYK" and img.mode == "CMYK")):
            return None
        if space == "RGB" and (profile.profile.profile_description or "").startswith("sRGB"):
            return None  # what most cameras and editors embed; converting would change nothing
        out_mode = "RGB" if img.mode == "CMYK" else img.mode
        # A fresh sRGB profile each time (0.15 ms) rather than one handle shared by every worker thread.
        srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
        return ImageCms.profileToProfile(img, profile, srgb, outputMode=out_mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return None  # an unusable profile: keep the numbers as they are, as most viewers would


def _without_unused_alpha(img: Image.Image) -> Image.Image:
    # Many PNGs carry an alpha channel that is opaque everywhere; it would force PNG for a photo.
    if img.mode in ("RGBA", "LA") and img.getchannel("A").getextrema()[0] == 255:
        return img.convert(img.mode[:-1])
    return img


def _encode(img: Image.Image, as_png: bool) -> bytes:
    img.info = {}  # the PNG and JPEG writers copy ICC profile, comment and transparency from here
    out = io.BytesIO()
    if as_png:
        # With the zlib-ng Pillow ships, level 3 came out both smaller and twice as fast as 6 on screenshots.
        img.save(out, "PNG", compress_level=3)
    else:
        # 4:4:4: no chroma subsampling, so coloured text and edges in photos stay sharp.
        img.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, subsampling=0)
    return out.getvalue()
