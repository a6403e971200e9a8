"""The show's cover: a producer's image checked and made conforming, or one generated.

Apple's rules for podcast artwork: square, 1400 to 3000 pixels a side, JPEG or PNG, RGB.
A producer's image that is square and at least 1400 px is accepted and made to conform:
scaled down to 3000 px if larger, turned upright by its EXIF orientation, converted to
RGB (through its ICC profile where it has one; transparency is laid on white). Anything
else is refused with an :class:`ArtworkError` that says what is wrong; narrate never
crops or pads a producer's picture, since that would change what they designed.

The cover is always written as ``cover.jpg`` (baseline JPEG, quality 90, no EXIF, no ICC
profile, i.e. plain sRGB): one file name whatever the source, and a few hundred
kilobytes rather than the megabytes a photographic PNG can weigh, which matters because
the same bytes are embedded (``APIC``) in the episode and in every segment file.

Without an image, a cover is generated from the show's title: a diagonal gradient in
two colours taken from a hash of the title, a sound-wave motif and the title itself, in Noto
Sans Arabic (OFL-1.1, shipped by the ``fontpkg-noto-sans-arabic`` dependency, so no system font
is needed). Where Pillow has its raqm layout (libraqm with FriBiDi, system libraries) the title
is shaped by HarfBuzz; elsewhere Pillow's basic layout draws what it is given glyph by glyph,
so the title is shaped first by arabic-reshaper (joined letters as Unicode presentation forms,
lam-alef ligatures) and put in visual order by python-bidi, whose glyphs the font has. The
same title on the same installation gives the same bytes, and a file already holding them is
not rewritten.
"""

from __future__ import annotations

import colorsys
import contextlib
import hashlib
import importlib
import io
import logging
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import arabic_reshaper  # type: ignore[import-untyped]
from bidi import get_display  # type: ignore[import-untyped]
from PIL import (
    Image,
    ImageChops,
    ImageCms,
    ImageDraw,
    ImageFont,
    ImageOps,
    UnidentifiedImageError,
    features,
)

from narrate.atomic import write_if_changed
from narrate.errors import ArtworkError, PublishError
from narrate.layout import COVER_FILE, Layout

log = logging.getLogger(__name__)

MIN_PX: Final = 1400
MAX_PX: Final = 3000
#: Side of a generated cover: Apple's minimum, to keep the embedded copies small.
DEFAULT_PX: Final = 1400
#: The one file name the cover is written as (:data:`narrate.layout.COVER_FILE`).
COVER_NAME: Final = COVER_FILE
COVER_MIME: Final = "image/jpeg"
JPEG_QUALITY: Final = 90


@dataclass(frozen=True)
class Artwork:
    """The cover as written: where, its MIME type, its side in pixels and its bytes."""

    path: Path
    mime: str
    size_px: int
    data: bytes
    #: The show title a generated cover was drawn from; None for a producer's image.
    drawn_for: str | None = None


def load_artwork(source: Path | None, output_dir: Path, show_title: str) -> Artwork:
    """The cover ``output_dir/cover.jpg`` will hold: ``source``, or one drawn from ``show_title``.

    Nothing is written: a build publishes the cover (:func:`publish_artwork`) only once its
    episode is made, so a build that fails leaves the show's cover as it was. Raises
    :class:`ArtworkError` when ``source`` is missing, is not an image, or is not a square of
    at least 1400 px.
    """
    target = Layout(output_dir).cover
    drawn_for = show_title if source is None else None
    if source is None:
        kept = _kept_cover(output_dir, show_title)
        if kept is not None:
            return Artwork(target, COVER_MIME, DEFAULT_PX, kept, drawn_for)
    image = _load(source) if source is not None else generate_cover(show_title)
    return Artwork(target, COVER_MIME, image.width, _jpeg(image), drawn_for)


def publish_artwork(artwork: Artwork) -> None:
    """Write ``artwork`` to its place (unless it is there already); PublishError if it cannot."""
    if write_if_changed(artwork.path, artwork.data):
        log.info("wrote %s (%d px)", artwork.path, artwork.size_px)
    if artwork.drawn_for is not None:
        _stamp_cover(artwork.path.parent, artwork.drawn_for, artwork.data)


#: Bump when the generated cover's drawing changes; with the title it names one cover.
GENERATOR_VERSION: Final = 2


def _cover_key(show_title: str) -> str:
    drawn = (
        f"{GENERATOR_VERSION}\n{DEFAULT_PX}\n{can_draw_arabic()}\n{_layout_engine().name}\n"
        f"{show_title}"
    )
    return hashlib.sha256(drawn.encode("utf-8", "surrogatepass")).hexdigest()


def _kept_cover(output_dir: Path, show_title: str) -> bytes | None:
    """The cover generated for this title by an earlier build, if it is still there untouched.

    Drawing it again costs more than the rest of a rebuild that changes nothing.
    """
    try:
        layout = Layout(output_dir)
        stamp = layout.cover_stamp.read_text(encoding="ascii").split()
        data = layout.cover.read_bytes()
    except (OSError, UnicodeDecodeError):
        return None
    if stamp != [_cover_key(show_title), hashlib.sha256(data).hexdigest()]:
        return None
    return data


def _stamp_cover(output_dir: Path, show_title: str, data: bytes) -> None:
    # Only a shortcut for the next build: failing to write it costs nothing else.
    with contextlib.suppress(OSError, PublishError):
        write_if_changed(
            Layout(output_dir).cover_stamp,
            f"{_cover_key(show_title)} {hashlib.sha256(data).hexdigest()}\n".encode("ascii"),
        )


# -- a producer's image --------------------------------------------------------------------


def _load(source: Path) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as opened:
                opened.load()
                image = ImageOps.exif_transpose(opened)
    except FileNotFoundError as exc:
        raise ArtworkError(f"cover image {source} does not exist") from exc
    except IsADirectoryError as exc:
        raise ArtworkError(f"cover image {source} is a folder, not an image") from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ArtworkError(f"cover image {source} is far too large to open safely") from exc
    except UnidentifiedImageError as exc:
        raise ArtworkError(
            f"cover image {source} is not an image Pillow can read (JPEG or PNG expected)"
        ) from exc
    except OSError as exc:
        # Pillow reports damaged data (a truncated file) as OSError without an errno.
        reason = exc.strerror or f"the file is damaged ({exc})"
        raise ArtworkError(f"cannot read cover image {source}: {reason}") from exc
    width, height = image.size
    if width != height:
        raise ArtworkError(
            f"cover image {source} is {width}×{height} px; podcast artwork must be square "
            f"({MIN_PX} to {MAX_PX} px a side)"
        )
    if width < MIN_PX:
        raise ArtworkError(
            f"cover image {source} is {width}×{height} px; podcast artwork must be at least "
            f"{MIN_PX}×{MIN_PX} px"
        )
    try:
        image = _to_rgb(image)
    except (ValueError, OSError) as exc:
        raise ArtworkError(
            f"cover image {source} uses the colour mode {image.mode}, which cannot be "
            "converted to RGB; save it as an RGB JPEG or PNG"
        ) from exc
    if width > MAX_PX:
        image = image.resize((MAX_PX, MAX_PX), Image.Resampling.LANCZOS)
    return image


def _to_rgb(image: Image.Image) -> Image.Image:
    """``image`` in plain sRGB: through its ICC profile if any, transparency laid on white."""
    icc = image.info.get("icc_profile")
    if image.mode in ("P", "PA"):
        image = image.convert("RGBA")
    if image.mode.startswith("I"):
        # 16-bit greyscale: scale to 8 bits (a plain convert would clip at 255).
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if "A" in image.getbands():
        flat = Image.new("RGBA", image.size, "white")
        flat.alpha_composite(image.convert("RGBA"))
        image = flat.convert("RGB")
    if icc and image.mode in ("RGB", "CMYK", "L"):
        try:
            source_profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            srgb = ImageCms.createProfile("sRGB")
            converted = ImageCms.profileToProfile(image, source_profile, srgb, outputMode="RGB")
            if converted is not None:
                image = converted
        except (ImageCms.PyCMSError, OSError, ValueError) as exc:
            log.warning("ignoring the cover's unusable colour profile (%s)", exc)
    if image.mode != "RGB":
        image = image.convert("RGB")
    return image


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    # A fresh image carries no info: no EXIF, no ICC profile, no comment is written.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=False)
    return out.getvalue()


# -- a generated cover ---------------------------------------------------------------------


def _colour(hue: float, saturation: float, value: float) -> tuple[int, int, int]:
    """An HSV colour (each 0–1, hue wrapping round) as 8-bit RGB."""
    r, g, b = colorsys.hsv_to_rgb(hue % 1.0, saturation, value)
    return round(r * 255), round(g * 255), round(b * 255)


def generate_cover(title: str, size: int = DEFAULT_PX) -> Image.Image:
    """A square RGB cover for ``title``: gradient, sound wave and (when possible) the title.

    Deterministic: colours and the wave's shape come from SHA-256 of the title.
    """
    digest = hashlib.sha256(title.encode("utf-8")).digest()
    hue = digest[0] / 256
    # Deep, saturated colours that a white motif reads well on; the second hue a neighbour's.
    top = _colour(hue, 0.65, 0.55)
    bottom = _colour(hue + 0.06 + digest[1] / 256 * 0.12, 0.85, 0.18)
    # A diagonal ramp, 0 at the top left corner to 255 at the bottom right.
    down = Image.linear_gradient("L")
    ramp = ImageChops.add(down, down.transpose(Image.Transpose.TRANSPOSE), scale=2)
    ramp = ramp.resize((size, size), Image.Resampling.BICUBIC)
    cover = Image.composite(
        Image.new("RGB", (size, size), bottom), Image.new("RGB", (size, size), top), ramp
    )
    layout = _title_layout(title, size)
    _draw_wave(cover, digest, centre=0.40 if layout else 0.5)
    if layout is not None:
        _draw_title(cover, *layout)
    return cover


def _draw_wave(cover: Image.Image, digest: bytes, centre: float) -> None:
    """A ring round a row of rounded bars shaped like a sound wave, in white."""
    # Drawn at twice the size on a mask and scaled down: ImageDraw does not anti-alias.
    big = cover.width * 2
    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)
    x0, y0 = big / 2, big * centre
    ring = big * 0.30
    draw.ellipse(
        (x0 - ring, y0 - ring, x0 + ring, y0 + ring), outline=235, width=round(big * 0.012)
    )
    bars = 15
    pitch = ring * 1.5 / bars
    bar_w = pitch * 0.55
    for n in range(bars):
        offset = (n - (bars - 1) / 2) / ((bars - 1) / 2)  # -1 at the left end, 1 at the right
        envelope = 1 - offset * offset * 0.85
        half = ring * 0.62 * envelope * (0.55 + 0.45 * digest[2 + n] / 255)
        x = x0 + offset * (bars - 1) / 2 * pitch
        draw.rounded_rectangle(
            (x - bar_w / 2, y0 - half, x + bar_w / 2, y0 + half), radius=bar_w / 2, fill=255
        )
    cover.paste((255, 255, 255), (0, 0), mask.resize(cover.size, Image.Resampling.LANCZOS))


def can_draw_arabic() -> bool:
    """Whether a generated cover can carry its title: whether the Noto font is installed."""
    return _font_file() is not None


def _font_file() -> Path | None:
    try:
        noto = importlib.import_module("fontpkg_noto_sans_arabic")
    except ImportError:
        return None
    fonts = sorted((Path(noto.ROOT) / "files").glob("NotoSansArabic*.ttf"))
    return fonts[0] if fonts else None


def _layout_engine() -> ImageFont.Layout:
    """Pillow's raqm layout where it has libraqm and FriBiDi, else its basic one."""
    if features.check("raqm") and features.check("fribidi"):
        return ImageFont.Layout.RAQM
    return ImageFont.Layout.BASIC


@dataclass(frozen=True)
class _Line:
    """A line of the title as Pillow is to be given it."""

    text: str
    direction: str | None = None
    language: str | None = None


def _shaped(line: str, layout: ImageFont.Layout) -> _Line:
    """``line`` for ``layout``: as it is, with its direction, for raqm; for the basic layout,
    in joined presentation forms (marks dropped) and in visual order, left to right."""
    rtl = _is_rtl(line)
    if layout == ImageFont.Layout.RAQM:
        return _Line(line, "rtl" if rtl else "ltr", "ar" if rtl else None)
    visual: str = get_display(arabic_reshaper.reshape(line), base_dir="R" if rtl else "L")
    return _Line(visual)


def _title_layout(title: str, side: int) -> tuple[ImageFont.FreeTypeFont, list[str]] | None:
    """The biggest of three font sizes at which ``title`` fits in two lines, and the lines."""
    words = title.split()
    font_file = _font_file()
    if not words or font_file is None:
        return None
    for share in (0.085, 0.07, 0.058):
        try:
            font = ImageFont.truetype(
                font_file, round(side * share), layout_engine=_layout_engine()
            )
        except OSError:
            return None
        _make_bold(font)
        lines = _two_lines(words, font, side * 0.84)
        if lines is not None:
            return font, lines
    return None  # too long for the cover at any size: the motif alone


def _make_bold(font: ImageFont.FreeTypeFont) -> None:
    """Set a variable font's weight axis to bold, its other axes to their defaults."""
    # A static font, or a FreeType without variable fonts, keeps its own weight.
    with contextlib.suppress(OSError, ValueError, KeyError):
        axes = font.get_variation_axes()
        font.set_variation_by_axes(
            [
                700 if axis["name"] in (b"Weight", "Weight") else axis["default"] or 0
                for axis in axes
            ]
        )


def _draw_title(cover: Image.Image, font: ImageFont.FreeTypeFont, lines: list[str]) -> None:
    """``lines`` in white, centred under the motif."""
    draw = ImageDraw.Draw(cover)
    line_height = font.size * 1.45
    first_y = cover.height * 0.80 - line_height * (len(lines) - 1) / 2
    for n, line in enumerate(lines):
        shaped = _shaped(line, font.layout_engine)
        draw.text(
            (cover.width / 2, first_y + n * line_height),
            shaped.text,
            font=font,
            fill="white",
            anchor="mm",
            direction=shaped.direction,
            language=shaped.language,
        )


def _is_rtl(text: str) -> bool:
    """Whether the first strong letter of ``text`` is right to left."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def _two_lines(words: list[str], font: ImageFont.FreeTypeFont, width: float) -> list[str] | None:
    """``words`` on one line, or two balanced ones, each narrower than ``width``; else None."""
    whole = " ".join(words)

    def length(text: str) -> float:
        shaped = _shaped(text, font.layout_engine)
        return font.getlength(shaped.text, direction=shaped.direction)

    if length(whole) <= width:
        return [whole]
    splits = [[" ".join(words[:n]), " ".join(words[n:])] for n in range(1, len(words))]
    fitting = [s for s in splits if max(length(line) for line in s) <= width]
    if not fitting:
        return None
    return min(fitting, key=lambda s: abs(length(s[0]) - length(s[1])))
