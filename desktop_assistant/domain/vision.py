"""Image sizes and token costs of vision requests: pure arithmetic, no image library.

The rules are those of OpenAI's vision guide ("Calculating costs") for gpt-4o-class models, in the
guide's words: "detail: high images are first scaled to fit within a 2048 x 2048 square, maintaining their
aspect ratio. Then, they are scaled such that the shortest side of the image is 768px long. Finally, we
count how many 512px squares the image consists of. Each of those squares costs 170 tokens. Another 85
tokens are always added to the final total." and "All images with detail: low cost 85 tokens each".
Its worked examples: 1024x1024 high -> 768x768 -> 4 tiles -> 765 tokens; 2048x4096 high -> 1024x2048 ->
768x1536 -> 6 tiles -> 1105 tokens; 4096x8192 low -> 85 tokens.

Our reading of the two steps the guide leaves open:

* Both steps only ever shrink. The guide's examples only scale down ("we scale the image down to
  768 x 768"), and an image whose shortest side is under 768 px is not blown up: a 512x512 image costs
  one tile (255 tokens), not the four (765) an upscale to 768x768 would cost.
* The two steps combine into one scale, min(1, 2048 / longest, 768 / shortest), applied once and
  rounded half up, so the size we send is exactly the size the server would compute.

`detail: low` is "a low-resolution 512px x 512px version of the image", so we send an image that fits in
512x512. `auto` lets the server choose between low and high and the guide does not say how; we send it
the high-detail size and count it as high, an upper bound, so an estimate shown to the user is never low.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: fractions brings decimal, not needed to start the app
    from fractions import Fraction

LOW_DETAIL_TOKENS = 85
BASE_TOKENS = 85
TOKENS_PER_TILE = 170
TILE_SIDE = 512
LOW_DETAIL_SIDE = 512
HIGH_DETAIL_BOX = 2048
HIGH_DETAIL_SHORT_SIDE = 768


class Detail(StrEnum):
    """The `detail` of an `image_url` content part."""

    LOW = "low"
    HIGH = "high"
    AUTO = "auto"


def target_size(width: int, height: int, detail: Detail) -> tuple[int, int]:
    """The size to send the image at: what the model will look at, never larger than the original."""
    from fractions import Fraction

    _check_size(width, height)
    longest, shortest = max(width, height), min(width, height)
    if Detail(detail) is Detail.LOW:
        scale = min(Fraction(1), Fraction(LOW_DETAIL_SIDE, longest))
    else:
        scale = min(Fraction(1), Fraction(HIGH_DETAIL_BOX, longest), Fraction(HIGH_DETAIL_SHORT_SIDE, shortest))
    if scale == 1:
        return width, height
    return _scaled(width, scale), _scaled(height, scale)


def image_tokens(width: int, height: int, detail: Detail) -> int:
    """Input tokens the image costs at `detail` (AUTO counts as HIGH: see the module's docstring)."""
    _check_size(width, height)
    if Detail(detail) is Detail.LOW:
        return LOW_DETAIL_TOKENS
    w, h = target_size(width, height, Detail.HIGH)
    tiles = _ceil_div(w, TILE_SIDE) * _ceil_div(h, TILE_SIDE)
    return BASE_TOKENS + TOKENS_PER_TILE * tiles


def _scaled(side: int, scale: Fraction) -> int:
    # Exact rational arithmetic, half up: 2048/3000 * 3000 is 2048, not 2047.9999.
    from fractions import Fraction

    return max(1, int(side * scale + Fraction(1, 2)))


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _check_size(width: int, height: int) -> None:
    if width < 1 or height < 1:
        raise ValueError(f"image size must be positive, got {width}x{height}")
