"""The show's cover: real images made with Pillow, checked, converted, written and read back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageCms, ImageDraw, ImageFont, features

from narrate.episode import artwork
from narrate.episode.artwork import (
    Artwork,
    can_draw_arabic,
    generate_cover,
    load_artwork,
    publish_artwork,
)
from narrate.errors import ArtworkError
from tests.paths import DATA


def prepare_artwork(source: Path | None, output_dir: Path, show_title: str) -> Artwork:
    """What a build does with the cover: checked first, written with the episode."""
    artwork = load_artwork(source, output_dir, show_title)
    publish_artwork(artwork)
    return artwork


SHOW = "نشرة مسموعة"


def make_image(path: Path, size: tuple[int, int], mode: str = "RGB", **save: object) -> Path:
    colour: object = {"RGB": (200, 30, 30), "CMYK": (0, 200, 200, 0), "L": 90}.get(mode, 0)
    Image.new(mode, size, colour).save(path, **save)  # type: ignore[arg-type]
    return path


def rgb(image: Image.Image, xy: tuple[int, int]) -> tuple[int, int, int]:
    pixel = image.getpixel(xy)
    assert isinstance(pixel, tuple)
    r, g, b = pixel[:3]
    return r, g, b


def brightest(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    """The highest red value in ``box``: our motif and titles are white, the gradients never."""
    _, high = image.crop(box).getextrema()[0]  # type: ignore[misc]
    return int(high)


def read_back(art: Artwork) -> Image.Image:
    assert art.path.read_bytes() == art.data
    image = Image.open(art.path)
    assert image.format == "JPEG"
    assert image.mode == "RGB"
    assert image.size == (art.size_px, art.size_px)
    assert "exif" not in image.info
    assert "icc_profile" not in image.info
    assert not image.info.get("progressive")
    return image


# --- a producer's image ---------------------------------------------------------------------


def test_conforming_jpeg_is_written_as_cover_jpg(tmp_path: Path) -> None:
    source = make_image(tmp_path / "art.jpg", (1400, 1400), quality=95)
    art = prepare_artwork(source, tmp_path / "output", SHOW)
    assert art.path == tmp_path / "output" / "cover.jpg"
    assert (art.mime, art.size_px) == ("image/jpeg", 1400)
    image = read_back(art)
    r, g, b = rgb(image, (700, 700))
    assert abs(r - 200) <= 3 and abs(g - 30) <= 3 and abs(b - 30) <= 3


def test_huge_image_is_scaled_down_to_3000(tmp_path: Path) -> None:
    source = make_image(tmp_path / "art.jpg", (4000, 4000))
    art = prepare_artwork(source, tmp_path, SHOW)
    assert art.size_px == 3000
    read_back(art)


def test_cmyk_jpeg_becomes_rgb(tmp_path: Path) -> None:
    source = make_image(tmp_path / "print.jpg", (1500, 1500), "CMYK")
    assert Image.open(source).mode == "CMYK"
    art = prepare_artwork(source, tmp_path / "out", SHOW)
    r, g, b = rgb(read_back(art), (10, 10))
    assert r > 200 and g < 90 and b < 90  # cyan-free, magenta and yellow: red


def test_rgba_png_is_flattened_on_white(tmp_path: Path) -> None:
    image = Image.new("RGBA", (1400, 1400), (0, 0, 0, 0))
    image.paste((0, 0, 255, 255), (0, 0, 700, 1400))
    source = tmp_path / "logo.png"
    image.save(source)
    art = prepare_artwork(source, tmp_path / "out", SHOW)
    cover = read_back(art)
    assert art.path.name == "cover.jpg"
    assert min(rgb(cover, (1200, 700))) >= 250  # was transparent
    r, g, b = rgb(cover, (200, 700))
    assert b > 240 and r < 15 and g < 15


@pytest.mark.parametrize("mode", ["P", "L", "LA"])
def test_palette_and_grey_images_become_rgb(tmp_path: Path, mode: str) -> None:
    source = tmp_path / "art.png"
    Image.new("RGB", (1400, 1400), (10, 120, 200)).convert(mode).save(source)
    assert Image.open(source).mode == mode
    read_back(prepare_artwork(source, tmp_path / "out", SHOW))


def test_16_bit_grey_png_is_scaled_not_clipped(tmp_path: Path) -> None:
    source = tmp_path / "grey16.png"
    Image.new("I;16", (1400, 1400), 32_768).save(source)
    cover = read_back(prepare_artwork(source, tmp_path / "out", SHOW))
    assert all(abs(channel - 128) <= 2 for channel in rgb(cover, (700, 700)))


def test_float_tiff_becomes_rgb(tmp_path: Path) -> None:
    source = tmp_path / "float.tif"
    Image.new("F", (1400, 1400), 200.0).save(source)
    assert Image.open(source).mode == "F"
    cover = read_back(prepare_artwork(source, tmp_path / "out", SHOW))
    assert all(abs(channel - 200) <= 2 for channel in rgb(cover, (700, 700)))


def test_colour_profile_is_applied_and_dropped(tmp_path: Path) -> None:
    source = tmp_path / "profiled.jpg"
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.new("RGB", (1400, 1400), (40, 160, 90)).save(source, icc_profile=srgb, quality=95)
    assert Image.open(source).info.get("icc_profile")
    cover = read_back(prepare_artwork(source, tmp_path / "out", SHOW))
    r, g, b = rgb(cover, (5, 5))
    assert abs(r - 40) <= 4 and abs(g - 160) <= 4 and abs(b - 90) <= 4


def test_exif_orientation_is_applied_then_dropped(tmp_path: Path) -> None:
    image = Image.new("RGB", (1400, 1400), "white")
    image.paste((255, 0, 0), (0, 0, 200, 200))  # red square, top left as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: display it turned 90° clockwise
    source = tmp_path / "phone.jpg"
    image.save(source, exif=exif.tobytes(), quality=95)
    cover = read_back(prepare_artwork(source, tmp_path / "out", SHOW))
    r, g, b = rgb(cover, (1300, 100))  # now at the top right
    assert r > 200 and g < 60 and b < 60


@pytest.mark.parametrize(
    ("size", "message"),
    [
        ((1000, 1000), r"is 1000×1000 px; podcast artwork must be at least 1400×1400 px"),
        ((1600, 1400), r"is 1600×1400 px; podcast artwork must be square \(1400 to 3000 px"),
        ((1399, 1399), r"at least 1400×1400"),
    ],
)
def test_unusable_sizes_are_refused(tmp_path: Path, size: tuple[int, int], message: str) -> None:
    source = make_image(tmp_path / "art.png", size)
    with pytest.raises(ArtworkError, match=message) as info:
        prepare_artwork(source, tmp_path / "out", SHOW)
    assert str(source) in str(info.value)
    assert not (tmp_path / "out").exists()


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ArtworkError, match=r"cover image .*nowhere\.jpg does not exist"):
        prepare_artwork(tmp_path / "nowhere.jpg", tmp_path, SHOW)


def test_text_file_named_jpg(tmp_path: Path) -> None:
    fake = tmp_path / "cover.jpg"
    fake.write_text("هذه ليست صورة\n" * 20, encoding="utf-8")
    with pytest.raises(ArtworkError, match=r"cover\.jpg is not an image Pillow can read"):
        prepare_artwork(fake, tmp_path / "out", SHOW)


def test_truncated_file(tmp_path: Path) -> None:
    whole = make_image(tmp_path / "whole.jpg", (1400, 1400), quality=95).read_bytes()
    truncated = tmp_path / "truncated.jpg"
    truncated.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ArtworkError, match=r"cannot read cover image .*truncated\.jpg: "):
        prepare_artwork(truncated, tmp_path / "out", SHOW)


def test_folder_is_not_an_image(tmp_path: Path) -> None:
    with pytest.raises(ArtworkError, match="is a folder, not an image"):
        prepare_artwork(tmp_path, tmp_path / "out", SHOW)


def test_decompression_bomb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = make_image(tmp_path / "art.png", (1500, 1500))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000_000)
    with pytest.raises(ArtworkError, match="far too large to open safely"):
        prepare_artwork(source, tmp_path / "out", SHOW)


def test_error_reads_as_a_narrate_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not exist") as info:
        prepare_artwork(tmp_path / "x.png", tmp_path, SHOW)
    assert "\n" not in str(info.value)


# --- a generated cover ----------------------------------------------------------------------


def test_generated_cover(tmp_path: Path) -> None:
    art = prepare_artwork(None, tmp_path, SHOW)
    assert art.size_px == 1400
    cover = read_back(art)
    # Not flat: a gradient from corner to corner, and a white motif in the middle.
    assert cover.getpixel((5, 5)) != cover.getpixel((1394, 1394))
    assert brightest(cover, (300, 200, 1100, 900)) >= 250
    assert len(art.data) < 400_000


def test_generated_cover_is_deterministic(tmp_path: Path) -> None:
    first = prepare_artwork(None, tmp_path / "a", SHOW)
    second = prepare_artwork(None, tmp_path / "b", SHOW)
    assert first.data == second.data
    other = prepare_artwork(None, tmp_path / "c", "نشرة الاقتصاد")
    assert other.data != first.data


def test_generated_cover_is_the_same_in_another_process(tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from narrate.episode import artwork;"
        "artwork.publish_artwork(artwork.load_artwork(None, Path(sys.argv[1]), sys.argv[2]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", code, str(tmp_path), SHOW], check=True, env=env)
    assert (tmp_path / "cover.jpg").read_bytes() == prepare_artwork(
        None, tmp_path / "here", SHOW
    ).data


def test_rebuild_does_not_rewrite_the_cover(tmp_path: Path) -> None:
    cover = prepare_artwork(None, tmp_path, SHOW).path
    os.utime(cover, (1_000_000, 1_000_000))
    prepare_artwork(None, tmp_path, SHOW)
    assert cover.stat().st_mtime == 1_000_000
    source = make_image(tmp_path / "art.png", (1400, 1400))
    prepare_artwork(source, tmp_path, SHOW)  # a producer's image replaces it
    assert cover.stat().st_mtime != 1_000_000
    public = sorted(p.name for p in tmp_path.iterdir() if p.name != ".narrate")
    assert public == ["art.png", "cover.jpg"]


def test_a_generated_cover_is_kept_until_the_title_or_the_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = prepare_artwork(None, tmp_path, SHOW)
    drawn: list[str] = []
    real = artwork.generate_cover

    def counting(title: str, size: int = artwork.DEFAULT_PX) -> Image.Image:
        drawn.append(title)
        return real(title, size)

    monkeypatch.setattr(artwork, "generate_cover", counting)
    assert prepare_artwork(None, tmp_path, SHOW).data == first.data
    assert drawn == []  # the kept cover, not drawn again
    first.path.write_bytes(first.data[:-10])  # damaged (or replaced by hand)
    assert prepare_artwork(None, tmp_path, SHOW).data == first.data
    assert drawn == [SHOW]
    prepare_artwork(None, tmp_path, "برنامج آخر")
    assert drawn == [SHOW, "برنامج آخر"]


LAYOUTS = [
    pytest.param(
        ImageFont.Layout.RAQM,
        id="raqm",
        marks=pytest.mark.skipif(
            not (features.check("raqm") and features.check("fribidi")),
            reason="Pillow has no raqm layout here",
        ),
    ),
    pytest.param(ImageFont.Layout.BASIC, id="basic"),
]
TITLE_BAND = (100, 1000, 1300, 1300)  # below the ring, round the title's line


def force_layout(monkeypatch: pytest.MonkeyPatch, layout: ImageFont.Layout) -> None:
    """Draw as on a machine whose Pillow has (RAQM) or lacks (BASIC) libraqm and FriBiDi."""
    monkeypatch.setattr(artwork, "_layout_engine", lambda: layout)


def white(image: Image.Image, box: tuple[int, int, int, int] = TITLE_BAND) -> Image.Image:
    """The white (title) pixels of ``box`` as a 1-bit mask; the gradients are never so light."""
    grey = image.crop(box).convert("RGB").point(lambda v: 255 if v >= 200 else 0)
    r, g, b = grey.split()
    return ImageChops.logical_and(
        ImageChops.logical_and(r.convert("1"), g.convert("1")), b.convert("1")
    )


def overlap(a: Image.Image, b: Image.Image) -> float:
    """Intersection over union of two masks."""
    both = ImageChops.logical_and(a, b).histogram()[-1]
    either = ImageChops.logical_or(a, b).histogram()[-1]
    return both / either


def test_the_font_ships_with_narrate() -> None:
    """fontpkg-noto-sans-arabic is a dependency: no machine lacks the title's font."""
    assert can_draw_arabic()


@pytest.mark.parametrize("layout", LAYOUTS)
def test_title_is_drawn_when_arabic_can_be_shaped(
    monkeypatch: pytest.MonkeyPatch, layout: ImageFont.Layout
) -> None:
    force_layout(monkeypatch, layout)
    with_title = generate_cover(SHOW)
    monkeypatch.setattr(artwork, "_font_file", lambda: None)
    without = generate_cover(SHOW)
    band = (100, 1130, 1300, 1300)  # the lower half of the title; below the centred ring
    assert brightest(with_title, band) >= 250  # white letters
    assert brightest(without, band) < 200  # only the gradient


def reference(text: str, font: ImageFont.FreeTypeFont) -> Image.Image:
    """``text`` drawn by itself where the cover's one-line title goes, as a mask."""
    image = Image.new("RGB", (artwork.DEFAULT_PX, artwork.DEFAULT_PX), "black")
    ImageDraw.Draw(image).text(
        (artwork.DEFAULT_PX / 2, artwork.DEFAULT_PX * 0.80), text, "white", font, anchor="mm"
    )
    return white(image)


def test_without_raqm_the_title_is_drawn_in_joined_forms_right_to_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pillow's basic layout neither joins letters nor orders them: the cover does both."""
    force_layout(monkeypatch, ImageFont.Layout.BASIC)
    layout = artwork._title_layout(SHOW, artwork.DEFAULT_PX)
    assert layout is not None
    font, lines = layout
    assert lines == [SHOW] and font.layout_engine == ImageFont.Layout.BASIC
    shaped = artwork._shaped(SHOW, font.layout_engine).text
    # Presentation forms, in visual order: the last letter (a final teh marbuta) comes first.
    assert shaped[0] == "\ufe94" and shaped[-1] == "\ufee7"  # ـة ... نـ
    assert all("\ufe70" <= char <= "\ufeff" or char == " " for char in shaped)
    missing = font.getmask("\ue000")  # a private-use character: the font's .notdef box
    assert all(bytes(font.getmask(c)) != bytes(missing) for c in set(shaped) - {" "})

    title = white(generate_cover(SHOW))
    assert overlap(title, reference(shaped, font)) > 0.9
    # Not the letters as stored, unjoined, either way round.
    assert overlap(title, reference(SHOW, font)) < 0.5
    assert overlap(title, reference(SHOW[::-1], font)) < 0.5


@pytest.mark.skipif(
    not (features.check("raqm") and features.check("fribidi")), reason="no raqm layout here"
)
def test_the_basic_layout_draws_the_title_as_raqm_does(monkeypatch: pytest.MonkeyPatch) -> None:
    force_layout(monkeypatch, ImageFont.Layout.RAQM)
    shaped_by_harfbuzz = white(generate_cover(SHOW))
    force_layout(monkeypatch, ImageFont.Layout.BASIC)
    shaped_by_reshaper = white(generate_cover(SHOW))
    assert overlap(shaped_by_harfbuzz, shaped_by_reshaper) > 0.6


def test_a_mixed_title_without_raqm(monkeypatch: pytest.MonkeyPatch) -> None:
    """Latin and digits in an Arabic title keep their own order inside the right-to-left line."""
    force_layout(monkeypatch, ImageFont.Layout.BASIC)
    shaped = artwork._shaped("قمة COP28 في 2025", ImageFont.Layout.BASIC).text
    assert shaped.startswith("2025 ") and "COP28" in shaped
    assert brightest(generate_cover("قمة COP28 في 2025"), TITLE_BAND) >= 250


def test_the_layout_is_part_of_the_kept_cover(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A cover drawn without raqm is drawn again once raqm is there, and the other way."""
    force_layout(monkeypatch, ImageFont.Layout.BASIC)
    basic = prepare_artwork(None, tmp_path, SHOW)
    force_layout(monkeypatch, ImageFont.Layout.RAQM)
    assert artwork._kept_cover(tmp_path, SHOW) is None
    force_layout(monkeypatch, ImageFont.Layout.BASIC)
    assert artwork._kept_cover(tmp_path, SHOW) == basic.data


@pytest.mark.parametrize("title", ["", "Morning Briefing", "نشرة " * 40])
def test_any_title_gives_a_cover(title: str) -> None:
    cover = generate_cover(title)
    assert (cover.mode, cover.size) == ("RGB", (1400, 1400))


def test_a_failed_build_leaves_the_published_cover_alone(tmp_path: Path) -> None:
    """The cover is written with the episode, not before: a build that fails changes nothing."""
    from tests.cli import narrate

    article = DATA / "articles" / "hard-wrapped.txt"
    out, cache = tmp_path / "out", tmp_path / "cache"
    first = narrate("build", article, "--engine", "espeak", "-o", out, "--cache-dir", cache, "-q")
    assert first.returncode == 0, first.stderr
    cover = (out / "cover.jpg").read_bytes()
    not_audio = tmp_path / "intro.wav"
    not_audio.write_text("not a sound", encoding="utf-8")
    own = make_image(tmp_path / "own.png", (1500, 1500))
    for change in (["--show", "برنامج آخر"], ["--artwork", str(own)]):
        failed = narrate(
            "build", article, "--engine", "espeak", "-o", out, "--cache-dir", cache,
            "--intro", not_audio, *change,
        )  # fmt: skip
        assert failed.returncode == 1, failed.stderr
        last = failed.stderr.splitlines()[-1]
        assert last.startswith("Error: cannot read the intro"), failed.stderr
        assert (out / "cover.jpg").read_bytes() == cover, change
    done = narrate(
        "build", article, "--engine", "espeak", "-o", out, "--cache-dir", cache, "-q",
        "--artwork", own,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (out / "cover.jpg").read_bytes() != cover
