"""The intro of the episode's words: the show, then the title, never the same words twice."""

from __future__ import annotations

from narrate.models import Article, Segment, TextNeeds
from narrate.text.script import write_script

PLAIN = TextNeeds(max_chars=100, diacritics=False)
LEAD = (
    "سميت المدينة قديما أم الآبار لكثرة الآبار فيها ولكثرة بساتينها التي تمتد من شمالها "
    "إلى جنوبها، ولا يفصلها عن جارتها سوى شارع ضيق."
)


def spoken(article: Article) -> str:
    return " ".join(write_script(article, "نشرتنا", PLAIN).chunks())


def test_a_title_cut_from_the_first_sentence_is_not_said_before_it() -> None:
    cut = " ".join(LEAD.split()[:12]) + "…"
    text = spoken(Article(cut, (Segment(None, (LEAD,)),)))
    opening = " ".join(LEAD.split()[:6])
    assert text.count(opening) == 1
    assert text.startswith("نشرتنا.")


def test_a_real_headline_is_said_in_the_intro() -> None:
    text = spoken(Article("مدينة الآبار والبساتين", (Segment(None, (LEAD,)),)))
    assert text.startswith("نشرتنا. مدينة الآبار والبساتين.")
    assert text.count(" ".join(LEAD.split()[:6])) == 1


def chapters(article: Article) -> list[str]:
    return [s.chapter_title for s in write_script(article, "نشرتنا", PLAIN).segments]


def test_the_lead_is_labelled_as_the_introduction_not_with_the_long_title() -> None:
    title = "من دمشق إلى موسكو.. لأول مرة التفاصيل الكاملة لهروب بشار الأسد تحت جنح الليل"
    article = Article(
        title,
        (Segment(None, (LEAD,)), Segment("تصدع النظام", ("فقرة.",)), Segment("سقوط حلب", ("ب.",))),
    )
    assert chapters(article) == ["المقدمة", "تصدع النظام", "سقوط حلب"]
    # A first segment with its own heading is labelled with it.
    headed = Article(title, (Segment("البداية", (LEAD,)), Segment("النهاية", ("فقرة.",))))
    assert chapters(headed) == ["البداية", "النهاية"]
    # An article without headings is one chapter: the whole article, not its title again.
    assert chapters(Article(title, (Segment(None, (LEAD,)),))) == ["المقال كاملًا"]
