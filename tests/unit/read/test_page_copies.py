"""Plain text copied from a news page: the headline behind section labels, every byline and
date form, datelines, page junk, no sentence said twice. Each test is one kind of defect seen
on real pages, written here in our own words; each fails if that defect comes back."""

from __future__ import annotations

from datetime import date

import pytest

from narrate.models import Article
from narrate.read.article import parse_text

BODY = (
    "وافق المجلس البلدي على خطة لتشجير الشوارع الرئيسية خلال العامين المقبلين.\n\n"
    "وقال رئيس المجلس إن الخطة تشمل زراعة عشرة آلاف شجرة.\n"
)
HEADLINE = "المجلس البلدي يقر خطة لتشجير الشوارع الرئيسية"


def _spoken(article: Article) -> list[str]:
    """Everything said after the intro: headings and paragraphs."""
    return [
        text
        for s in article.segments
        for text in ((s.heading,) if s.heading else ()) + s.paragraphs
    ]


def _read(top: str, body: str = BODY) -> Article:
    return parse_text(f"{top}\n{body}")


# --- The headline -------------------------------------------------------------------------------


@pytest.mark.parametrize("label", ["محليات", "وطني", "اخبار السودان", "رياضة", "منوعات"])
def test_a_section_label_is_not_the_title(label: str) -> None:
    article = _read(f"{label}\n\n{HEADLINE}\n")
    assert article.title == HEADLINE
    assert all(label not in text for text in _spoken(article))


def test_navigation_and_dates_above_the_headline_are_skipped() -> None:
    article = _read(
        f"الرئيسية | أخبار | رياضة | Videos\nHome NEWS SPORT\n2024/11/30\nمحليات\n{HEADLINE}\n"
    )
    assert article.title == HEADLINE
    assert article.published is not None and article.published.date() == date(2024, 11, 30)


def test_the_headline_is_not_repeated_as_a_chapter_heading() -> None:
    article = _read(f"{HEADLINE}\n\n{HEADLINE}\n", BODY + "\nالتمويل\n\nتمول البلدية الخطة.\n")
    assert [s.heading for s in article.segments] == [None, "التمويل"]
    assert HEADLINE not in _spoken(article)


def test_without_a_headline_the_first_sentence_is_said_once() -> None:
    article = parse_text(BODY)
    first = "وافق المجلس البلدي على خطة لتشجير الشوارع الرئيسية خلال العامين المقبلين"
    assert article.title == first
    assert not any(first in text for text in _spoken(article))


# --- Bylines ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "byline",
    [
        "كتب: محمد علي",
        "بقلم: محمد علي",
        "حوار: محمد علي",
        "محمد علي",
        "محمد علي - القاهرة",
        "محمد علي | القاهرة",
        "القاهرة - محمد علي",
        "كتب: محمد علي - القاهرة",
        "بقلم محمد علي، القاهرة",
    ],
)
def test_every_byline_form_is_the_author_and_is_not_spoken(byline: str) -> None:
    article = _read(f"{HEADLINE}\n\n{byline}\n")
    assert article.title == HEADLINE
    assert article.author == "محمد علي"
    assert all("محمد علي" not in text and "القاهرة" not in text for text in _spoken(article))
    assert article.segments[0].heading is None


def test_a_dateline_under_the_byline_is_not_part_of_the_name() -> None:
    article = _read(f"{HEADLINE}\n\nبقلم: سارة الخطيب\nعمّان، 14 أكتوبر 2025\n")
    assert article.author == "سارة الخطيب"
    assert article.published is not None and article.published.date() == date(2025, 10, 14)
    assert all("عمّان" not in text for text in _spoken(article))


def test_a_name_alone_beside_a_date_is_the_author() -> None:
    article = _read(f"{HEADLINE}\nنادر الحلبي\nالخميس 5 ديسمبر 2024\n")
    assert article.author == "نادر الحلبي"
    assert article.published is not None and article.published.date() == date(2024, 12, 5)


def test_a_short_heading_under_the_headline_is_not_a_byline() -> None:
    article = _read(f"{HEADLINE}\n\nخلفية القرار\n")
    assert article.author is None
    assert article.segments[0].heading == "خلفية القرار"


# --- Datelines ----------------------------------------------------------------------------------


@pytest.mark.parametrize("dateline", ["موسكو- (أ ب)", "الرياض - واس", "(رويترز)"])
def test_a_dateline_line_is_not_a_chapter(dateline: str) -> None:
    article = _read(f"{HEADLINE}\n\n{dateline}\n")
    assert [s.heading for s in article.segments] == [None]
    assert all(dateline.strip("()") not in text for text in _spoken(article))


@pytest.mark.parametrize(
    ("glued", "said"),
    [
        ("(رويترز) - وافق", "وافق"),
        ("الرياض - واس - وافق", "وافق"),
        ("موسكو - (أ ب) - وافق", "وافق"),
        ("القاهرة - وافق", "وافق"),
        ("في القاهرة، وافق", "في القاهرة، وافق"),
    ],
)
def test_an_agency_dateline_glued_to_the_first_paragraph_is_not_said(glued: str, said: str) -> None:
    article = _read(f"{HEADLINE}\n", BODY.replace("وافق", glued, 1))
    assert article.segments[0].paragraphs[0].startswith(said + " المجلس")


def test_a_place_and_date_dateline_dates_the_episode() -> None:
    article = _read(f"{HEADLINE}\nعمّان، 14 أكتوبر 2025\n")
    assert article.published is not None and article.published.date() == date(2025, 10, 14)
    assert [s.heading for s in article.segments] == [None]


# --- Dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "day"),
    [
        ("date 2025-03-02", date(2025, 3, 2)),
        ("نشر في: 27 أكتوبر 2024 - 10:30", date(2024, 10, 27)),
        ("تاريخ النشر: 27/10/2024", date(2024, 10, 27)),
        ("الخميس 5 ديسمبر 2024", date(2024, 12, 5)),
        ("٢٧/١٠/٢٠٢٤", date(2024, 10, 27)),
        ("الأحد 3 تشرين الأول 2024", date(2024, 10, 3)),
        ("الثلاثاء 14 كانون الثاني 2025", date(2025, 1, 14)),
        ("السبت 8 آذار 2025", date(2025, 3, 8)),
        ("الخميس 3 جمادى الآخرة 1446 هـ الموافق 5 ديسمبر 2024 م", date(2024, 12, 5)),
        ("1446/06/03 هـ - 2024/12/05 م", date(2024, 12, 5)),
    ],
)
def test_every_date_form_dates_the_episode_and_is_not_spoken(line: str, day: date) -> None:
    article = _read(f"{HEADLINE}\n{line}\n")
    assert article.published is not None and article.published.date() == day
    assert len(article.segments) == 1 and article.segments[0].heading is None
    assert all(text[:3] in BODY for text in _spoken(article))


def test_a_labelled_date_at_the_bottom_dates_the_episode() -> None:
    article = _read(f"{HEADLINE}\n", BODY + "\nنشر في: 27 أكتوبر 2024 - 10:30\n")
    assert article.published is not None and article.published.date() == date(2024, 10, 27)
    assert all("نشر" not in text for text in _spoken(article))


@pytest.mark.parametrize("relative", ["منذ 3 ساعات", "قبل يومين", "منذ ساعة", "نشر منذ 5 دقائق"])
def test_a_relative_time_is_dropped_and_dates_nothing(relative: str) -> None:
    article = _read(f"{HEADLINE}\n{relative}\n")
    assert article.published is None
    assert all(relative not in text for text in _spoken(article))
    assert [s.heading for s in article.segments] == [None]


# --- Page junk ----------------------------------------------------------------------------------

JUNK = [
    "Home | World | Business | Sport",
    "انسخ الرابطhttps://example.com/news/123",
    "//انتهى//",
    "(النهاية)",
    "ـــــــــــ",
    "ع ن / ح م",
    "ي ص/ع ع 14:22",
    "14:22",
    "(الصورة: سوق الخضار صباح اليوم)",
    "تصوير: سامر يوسف",
    "Getty Images",
    "المصدر: رويترز",
    "news-picture",
    "• 00:00 • 5",
    "مشاهدات 1,234",
    "1234 مشاهدة",
    "الكلمات الدالة: بلدية، أشجار، بيئة",
    "وسوم: بلدية، أشجار",
    "#بلدية #أشجار #بيئة",
    "تابعونا على فيسبوك وتويتر",
    "للمزيد تابعوا قناتنا على تلغرام",
    "The council approved a plan to plant trees along the main streets.",
    "سوق الخضار صباح اليوم (رويترز)",
]


@pytest.mark.parametrize("junk", JUNK)
def test_page_junk_is_not_spoken(junk: str) -> None:
    article = _read(f"{HEADLINE}\n", BODY + f"\n{junk}\n\nوتبدأ الزراعة الشهر المقبل.\n")
    spoken = _spoken(article)
    assert spoken[-1] == "وتبدأ الزراعة الشهر المقبل."
    assert len(spoken) == 3, spoken


def test_a_trailer_glued_to_the_last_paragraph_is_not_spoken() -> None:
    article = _read(f"{HEADLINE}\n", BODY.rstrip() + " //انتهى//\n")
    assert article.segments[-1].paragraphs[-1].endswith("عشرة آلاف شجرة.")


@pytest.mark.parametrize("marker", ["اقرأ أيضا", "اقرأ أيضاً:", "طالع أيضا", "شاهد أيضا", "ذات صلة"])
def test_a_read_also_box_goes_with_its_headline_and_teaser(marker: str) -> None:
    box = f"{marker}\nانقطاع المياه عن ثلاثة أحياء غدا\nأعلنت الشركة أن الانقطاع سيستمر ست ساعات.\n"
    article = _read(f"{HEADLINE}\n", BODY + "\n" + box + "\nوتبدأ الزراعة الشهر المقبل.\n")
    spoken = _spoken(article)
    assert [s.heading for s in article.segments] == [None]
    assert spoken[-1] == "وتبدأ الزراعة الشهر المقبل."
    assert all("انقطاع" not in text and "أعلنت الشركة" not in text for text in spoken)


def test_a_most_read_list_goes_with_its_headlines() -> None:
    box = "الأكثر قراءة\nارتفاع أسعار الخبز\nمباراة حاسمة الليلة\nطقس بارد نهاية الأسبوع\n"
    article = _read(f"{HEADLINE}\n", BODY + "\n" + box)
    assert _spoken(article) == [
        "وافق المجلس البلدي على خطة لتشجير الشوارع الرئيسية خلال العامين المقبلين.",
        "وقال رئيس المجلس إن الخطة تشمل زراعة عشرة آلاف شجرة.",
    ]


def test_a_tag_list_under_its_label_goes() -> None:
    article = _read(f"{HEADLINE}\n", BODY + "\nالوسوم\nبلدية\nأشجار\nبيئة\n")
    assert len(_spoken(article)) == 2


# --- Headings -----------------------------------------------------------------------------------


def test_list_items_are_not_headings() -> None:
    items = "\n\nالمستقلون: 13 مقعدًا\n\nالتحالف المدني: 7 مقاعد\n\n"
    article = _read(f"{HEADLINE}\n", BODY + items + "وأعلنت اللجنة النتائج رسميا.\n")
    assert [s.heading for s in article.segments] == [None]
    assert "المستقلون: 13 مقعدًا" in article.segments[0].paragraphs


def test_an_english_article_keeps_its_english_lines() -> None:
    article = parse_text("Council approves tree plan\n\nThe council approved the plan on Monday.\n")
    assert article.title == "Council approves tree plan"
    assert _spoken(article) == ["The council approved the plan on Monday."]


# --- Second pass: patterns found on the labelled corpus -----------------------------------------


def test_a_headline_printed_twice_at_the_top_is_kept_once() -> None:
    article = _read(f"{HEADLINE}\n{HEADLINE}\n{HEADLINE}\nالأحد 9 نونبر 2014 - 00:42\n")
    assert article.title == HEADLINE
    assert HEADLINE not in _spoken(article)
    assert article.published is not None and article.published.date() == date(2014, 11, 9)


def test_a_caption_printed_twice_over_the_headline_is_not_the_title() -> None:
    caption = "رئيس المجلس البلدي وأعضاء اللجنة الفنية"
    article = _read(f"{caption}\n\n1\n{caption}\n\n{HEADLINE}\n")
    assert article.title == HEADLINE
    assert all(caption not in text for text in _spoken(article))


def test_a_promoted_article_between_two_copies_of_the_headline_is_dropped() -> None:
    article = _read(
        f"{HEADLINE}\nسامر الحلبي\nمن يدفع ثمن الغلاء؟\n"
        "مرت سنوات على الأزمة ولم يتغير شيء في الأسواق ولا في جيوب الناس...\n"
        f"المزيد >>\n{HEADLINE}\nصدر هذا المقال في النسخة الورقية للجريدة\n| 07 ديسمبر 2017\n"
    )
    assert article.title == HEADLINE
    assert article.published is not None and article.published.date() == date(2017, 12, 7)
    spoken = " ".join(_spoken(article))
    for junk in ("سامر الحلبي", "ثمن الغلاء", "مرت سنوات", "المزيد", "النسخة الورقية", HEADLINE):
        assert junk not in spoken


def test_a_known_section_name_above_a_short_headline_is_not_the_title() -> None:
    article = _read("Logo\nثقافة\n\nرفوف المكتبة\n\nالثلاثاء 27-01-2026 00:52\nكتب: ليلى حداد\n")
    assert (article.title, article.author) == ("رفوف المكتبة", "ليلى حداد")
    assert [s.heading for s in article.segments] == [None]
    assert all("ثقافة" not in text for text in _spoken(article))


@pytest.mark.parametrize(
    ("top", "day"),
    [
        ("date 2025-11-27 الأخبار", date(2025, 11, 27)),
        ("سياسة 26-09-2025 | 17:20", date(2025, 9, 26)),
        ("تاريخ النشر: 8th, January 2024 GMT", date(2024, 1, 8)),
        ("نشر :\n11:42 2024-09-18|\nآخر تحديث :\n18:00 2024-09-18|", date(2024, 9, 18)),
    ],
)
def test_date_lines_with_a_section_name_an_ordinal_or_a_label_alone(top: str, day: date) -> None:
    article = _read(f"{top}\n{HEADLINE}\nأخبار المدينة\n")
    assert article.title == HEADLINE
    assert article.published is not None and article.published.date() == day
    spoken = " ".join(_spoken(article))
    assert not any(
        w in spoken for w in ("date", "الأخبار", "سياسة", "نشر", "تحديث", "أخبار المدينة")
    )


def test_a_site_title_suffix_after_a_bar_is_not_part_of_the_title() -> None:
    article = _read(f"{HEADLINE} | صحيفة المدينة\n\n07/31 23:11\n")
    assert article.title == HEADLINE


@pytest.mark.parametrize(
    "byline",
    [
        "الخرطوم: ليلى حداد",
        "* رام الله ليلى حداد:",
        "الإخبارية/متابعة",
    ],
)
def test_place_and_name_bylines_are_read_not_spoken(byline: str) -> None:
    article = _read(f"{HEADLINE}\n{byline}\n")
    want = None if "متابعة" in byline else "ليلى حداد"
    assert article.author == want
    assert all("ليلى" not in text and "متابعة" not in text for text in _spoken(article))


def test_a_byline_glued_to_the_first_paragraph_is_taken_off_it() -> None:
    body = "وافق المجلس البلدي على خطة لتشجير الشوارع الرئيسية خلال العامين المقبلين."
    dashed = parse_text(f"- هدى منصور - {body}\n")
    assert dashed.author == "هدى منصور"
    assert "هدى" not in dashed.title and all("هدى" not in t for t in _spoken(dashed))
    role = parse_text(f"{HEADLINE}\nزياد قطان | مراسل الموقع - بيروت: {body}\n")
    assert role.author == "زياد قطان"
    assert all("مراسل الموقع" not in t for t in _spoken(role))


def test_a_byline_after_the_headline_on_its_line_is_the_author() -> None:
    article = _read("حكاية المدينة ... بقلم : Rami Saleh\n")
    assert (article.title, article.author) == ("حكاية المدينة", "Rami Saleh")


def test_a_site_named_after_its_city_is_not_the_author() -> None:
    assert _read(f"{HEADLINE}\nحلب اليوم - حلب\n").author is None


def test_a_first_line_ending_on_a_colon_is_the_title_and_said_once() -> None:
    first = "قدمت المذيعة أهم الأخبار الواردة إلى غرفة الأخبار هذا المساء، ومنها"
    article = parse_text(f"{first}:\n- افتتح الوزير الجسر الجديد.\n- ارتفعت أسعار الخضار.\n")
    assert article.title == first
    assert all("قدمت المذيعة" not in text for text in _spoken(article))


def test_a_headline_over_summary_bullets_is_the_whole_title() -> None:
    headline = "الوزير يؤكد أن الخطة الثقافية الجديدة لن تنجح من دون استراتيجية إعلامية واضحة"
    article = parse_text(
        f"{headline}\n"
        "- نعتزم تشكيل لجنة عليا للمسرح تضم كبار المختصين في هذا المجال من الداخل والخارج\n"
        "- أسبوع ثقافي قريبا في مدن عدة بهدف مد الجسور بين الفنانين والجمهور في كل مكان\n" + BODY
    )
    assert article.title == headline


@pytest.mark.parametrize(
    "junk",
    [
        "مرحبا بك في موقع المدينة الإخباري لتطلع على آخر الأحداث والمستجدات",
        "[تقرير مسجل]",
        "#2#",
        "IMG_20240101_123456.jpg",
        "22:01 ت م",
        "جانب من اللقاء في مقر البلدية",
        "| العالم اليوم",
        "The post قصة المدينة first appeared on صحيفة المدينة.",
    ],
)
def test_page_boilerplate_lines_are_not_spoken(junk: str) -> None:
    article = _read(f"{HEADLINE}\n{junk}\n", BODY + f"{junk}\n")
    assert all(junk not in text for text in _spoken(article))


def test_glued_wire_trailer_and_image_name_are_stripped() -> None:
    lead = "وأكد رئيس المجلس أن العمل في المشروع يبدأ غدا في الأحياء الشرقية ثم يمتد إلى غيرها."
    article = _read(
        f"{HEADLINE}\n417_3611456639_1392923746_n{lead}\n",
        "وشكر الوزير العاملين في البلدية. // انتهى // 22:01 ت م NNNN تغريد\n",
    )
    spoken = " ".join(_spoken(article))
    for junk in ("417_", "انتهى", "NNNN", "تغريد", "22:01"):
        assert junk not in spoken
    assert spoken.startswith(lead)


def test_a_breaking_ticker_above_the_headline_is_dropped() -> None:
    article = _read(
        "أخبار عاجلة\nالمطر يغلق طريق المطار -\nارتفاع أسعار الوقود في الأسواق -\n"
        f"{HEADLINE}\n{HEADLINE}\n"
    )
    assert article.title == HEADLINE
    assert all("المطار" not in t and "الوقود" not in t for t in _spoken(article))


def test_other_headlines_after_the_last_sentence_are_dropped() -> None:
    tail = [
        "الوزير يفتتح معرض الكتاب في دورته الجديدة بالعاصمة",
        "الدفاع المدني: إخماد حريق في مستودع للأخشاب بريف المدينة",
        "ارتفاع أسعار الذهب في الأسواق المحلية للأسبوع الثالث",
    ]
    article = _read(f"{HEADLINE}\n", BODY + "\n".join(tail) + "\n")
    assert all(line not in " ".join(_spoken(article)) for line in tail)
    assert (
        article.segments[-1].paragraphs[-1]
        == "وقال رئيس المجلس إن الخطة تشمل زراعة عشرة آلاف شجرة."
    )


# --- Third pass: date forms and repeated date lines ---------------------------------------------


@pytest.mark.parametrize(
    "line",
    ["2015 05 14", "14 05 2015", "١٤ ٠٥ ٢٠١٥", "14.05.2015"],
)
def test_a_date_in_figures_with_spaces_or_dots_dates_the_episode(line: str) -> None:
    article = _read(f"{HEADLINE}\n\n{line}\n")
    assert article.published is not None and article.published.date() == date(2015, 5, 14)
    assert all("2015" not in text and "٢٠١٥" not in text for text in _spoken(article))


def test_a_date_line_printed_twice_is_read_once_and_not_dropped_as_a_caption() -> None:
    article = _read(f"{HEADLINE}\n\n2015 05 14\n2015 05 14\n")
    assert article.title == HEADLINE
    assert article.published is not None and article.published.date() == date(2015, 5, 14)
    assert all("2015" not in text for text in _spoken(article))


def test_a_hijri_and_gregorian_line_with_zones_in_brackets_is_read() -> None:
    line = (
        "الأربعاء 1431/3/12 هـ - الموافق 24/2/2010 م (آخر تحديث) "
        "الساعة 20:15 (مكة المكرمة)، 17:15 (غرينتش)"
    )
    article = _read(f"{HEADLINE}\n{line}\n")
    assert article.published is not None
    assert article.published.date() == date(2010, 2, 24)
    assert article.published.utcoffset() is not None
    assert (article.published.hour, article.published.minute) == (20, 15)
    assert all("الموافق" not in text and "غرينتش" not in text for text in _spoken(article))


# --- Third pass: bullets under the headline -----------------------------------------------------

CHAPTERED_BODY = (
    "\nنص المقدمة عن مشروع التشجير الذي أقره المجلس البلدي هذا الأسبوع.\n\n"
    "أسباب المشروع\n\n"
    "يعاني وسط المدينة من قلة المساحات الخضراء منذ سنوات طويلة.\n\n"
    "مصادر التمويل\n\n"
    "تمول البلدية الخطة من موازنتها السنوية.\n"
)


def test_a_list_of_the_chapters_under_the_headline_is_not_spoken() -> None:
    top = f"{HEADLINE}\n\n- أسباب المشروع\n- مراحل التنفيذ المقترحة\n"
    article = parse_text(top + CHAPTERED_BODY)
    assert [s.heading for s in article.segments] == [None, "أسباب المشروع", "مصادر التمويل"]
    assert all("مراحل التنفيذ" not in text for text in _spoken(article))


def test_summary_bullets_said_again_in_the_body_are_not_spoken() -> None:
    top = f"{HEADLINE}\n- عشرة آلاف شجرة\n- خلال العامين المقبلين\n"
    article = parse_text(top + "\n" + BODY.replace("الرئيسية", "الرئيسية وعددها عشرة آلاف شجرة"))
    assert article.title == HEADLINE
    spoken = _spoken(article)
    assert all(not text.startswith(("- ", "عشرة", "خلال")) for text in spoken)
    assert spoken[0].startswith("وافق المجلس البلدي")


def test_bullets_that_say_something_new_are_kept() -> None:
    top = f"{HEADLINE}\n- الخطة تبدأ في الربيع المقبل\n- تشارك المدارس في الزراعة\n"
    article = parse_text(top + "\n" + BODY)
    spoken = " ".join(_spoken(article))
    assert "الربيع المقبل" in spoken and "المدارس" in spoken


# --- Third pass: photo captions -----------------------------------------------------------------


def test_a_name_credited_to_a_source_in_brackets_under_the_headline_is_a_caption() -> None:
    article = _read(f"{HEADLINE}\nكنان الراعي (الصباح)\n")
    assert article.title == HEADLINE
    assert all("الراعي" not in text for text in _spoken(article))
    assert [s.heading for s in article.segments] == [None]


def test_a_known_name_credited_in_brackets_in_the_body_is_a_caption() -> None:
    article = _read(HEADLINE, BODY + "\nسارة الخطيب (المدينة)\n\nوتنتهي المرحلة الأولى في الصيف.\n")
    assert all("الخطيب" not in text for text in _spoken(article))
    assert any("المرحلة الأولى" in text for text in _spoken(article))


def test_a_heading_with_a_bracket_further_down_is_kept() -> None:
    article = _read(HEADLINE, BODY + "\nمراحل التنفيذ (الجدول)\n\nتبدأ المرحلة الأولى في الصيف.\n")
    assert "مراحل التنفيذ (الجدول)" in [s.heading for s in article.segments]


def test_a_group_photo_caption_with_mutawassitan_is_not_spoken() -> None:
    caption = "رئيس البلدية متوسطا أعضاء المجلس وعددا من المهندسين في الحديقة العامة"
    article = _read(f"{HEADLINE}\n{caption}\n")
    assert all("متوسطا" not in text for text in _spoken(article))


def test_a_sentence_with_mutawassitan_is_kept() -> None:
    sentence = "وجلس رئيس البلدية متوسطا أعضاء المجلس، ثم عرض الخطة على الحضور."
    article = _read(HEADLINE, BODY + f"\n{sentence}\n")
    assert any("متوسطا" in text for text in _spoken(article))


# --- Fourth pass: the last general patterns of the labelled corpus ------------------------------


def test_a_long_latin_caption_over_a_short_arabic_article_is_not_the_title() -> None:
    # The English caption has more letters than the short Arabic story, yet the story is Arabic.
    caption = (
        "A picture released by the city council on May 3, 2024 shows the mayor planting a tree "
        "in the main square, during the launch of a greening plan for the streets of the old town "
        "and its markets, which officials said would take two years. (Photo by STAFF / COUNCIL)"
    )
    article = _read(f"{caption}\n{HEADLINE}\n")
    assert article.title == HEADLINE
    assert all("picture" not in text for text in _spoken(article))


def test_a_latin_only_first_line_is_not_the_title_of_an_arabic_article() -> None:
    article = _read("Photo credit: CITY COUNCIL / HANDOUT / ALL RIGHTS RESERVED / NO RESALE")
    assert "Photo" not in article.title
    assert all("Photo" not in text for text in _spoken(article))


def test_an_english_article_keeps_its_latin_lines() -> None:
    text = (
        "City council backs tree plan\n"
        "The council approved a plan to plant ten thousand trees along the main streets.\n"
        "المجلس البلدي\n"
        "The mayor said schools would take part in the planting.\n"
    )
    article = parse_text(text)
    assert article.title == "City council backs tree plan"
    assert any("mayor" in t for t in _spoken(article))


def test_the_headline_is_recovered_from_a_the_post_first_appeared_on_trailer() -> None:
    text = (
        "وافق المجلس البلدي على خطة لتشجير الشوارع الرئيسية خلال العامين المقبلين، "
        "وقال رئيسه إن العمل يبدأ في الربيع. ويشمل المشروع المدارس أيضا. وتابع […]\n\n"
        f"The post {HEADLINE} first appeared on جريدة المدينة.\n"
    )
    article = parse_text(text)
    assert article.title == HEADLINE
    spoken = " ".join(_spoken(article))
    assert "وافق المجلس البلدي على خطة" in spoken
    assert "first appeared" not in spoken and "جريدة المدينة" not in spoken


def test_a_trailer_headline_does_not_replace_a_headline_found_on_the_page() -> None:
    text = f"{HEADLINE}\n\n{BODY}\nThe post خبر آخر عن الحديقة first appeared on جريدة المدينة.\n"
    assert parse_text(text).title == HEADLINE


def test_a_question_heading_after_a_line_ending_in_a_colon_is_a_heading() -> None:
    body = (
        "وافق المجلس البلدي على خطة لتشجير الشوارع الرئيسية خلال العامين المقبلين.\n"
        "وبعد إعلان الخطة، طرح سكان الأحياء القديمة أسئلة كثيرة عن كلفتها ومصادر تمويلها:\n"
        "من يدفع ثمن الأشجار؟\n"
        "تقول البلدية إن الميزانية السنوية تكفي لزراعة نصف الأشجار، وإن الباقي تتبرع به "
        "شركات محلية ضمن برامج المسؤولية الاجتماعية.\n"
    )
    article = _read(HEADLINE, body)
    assert [s.heading for s in article.segments] == [None, "من يدفع ثمن الأشجار؟"]
    assert any(text.endswith("تمويلها:") for text in _spoken(article))


def test_a_quoted_question_after_a_colon_stays_in_its_paragraph() -> None:
    body = (
        "وافق المجلس البلدي على خطة لتشجير الشوارع الرئيسية خلال العامين المقبلين.\n"
        "وسأل أحد السكان رئيس المجلس:\n"
        "«من يدفع ثمن الأشجار؟»\n"
        "فأجاب بأن الميزانية السنوية تكفي لزراعة نصف الأشجار، وأن الباقي تتبرع به شركات محلية.\n"
    )
    article = _read(HEADLINE, body)
    assert [s.heading for s in article.segments] == [None]


def test_latest_news_headlines_glued_into_one_line_are_not_spoken() -> None:
    glued = (
        "آخر الأخبار\n"
        'في حادث مروع.. سقوط رافعة في ميناء المدينة "الدفاع المدني" : 300 حريق منذ بداية '
        "الصيف وعشرة مصابين اجتماع وزراء الزراعة العرب: خطة لمواجهة الجفاف في المنطقة\n"
    )
    article = _read(HEADLINE, BODY + "\n" + glued)
    spoken = " ".join(_spoken(article))
    assert "رافعة" not in spoken and "الجفاف" not in spoken
    assert "عشرة آلاف شجرة" in spoken


def test_a_sidebar_of_other_writers_articles_above_the_headline_is_dropped() -> None:
    top = (
        "هدى المنصوري - مديرة التحرير\n\n"
        "عدد المقالات 85\n\n"
        "هدى المنصوري - مديرة التحرير 12 مارس 2025\n"
        "الموازنة الجديدة.. أرقام تحتاج إلى شرح\n"
        "كلمة الصحيفة 14 مارس 2025\n"
        "مدارسنا في الصيف\n"
        "كلمة الصحيفة 15 مارس 2025\n"
        "«الماء» قبل كل شيء\n\n"
        f"{HEADLINE}\n\n"
        "02 فبراير 2025 , 09:15ص\n"
    )
    article = _read(top)
    assert article.title == HEADLINE
    assert article.author == "هدى المنصوري"
    assert [s.heading for s in article.segments] == [None]
    spoken = " ".join(_spoken(article))
    assert "الموازنة" not in spoken and "كلمة الصحيفة" not in spoken and "مدارسنا" not in spoken
    assert "المقالات" not in spoken


def test_two_dated_lines_without_headlines_between_them_are_not_a_sidebar() -> None:
    article = _read(f"{HEADLINE}\nالقاهرة 12 مارس 2025", BODY + "\nبيروت 14 مارس 2025\n")
    assert article.title == HEADLINE
    assert any("عشرة آلاف شجرة" in text for text in _spoken(article))


# --- Page headers that combine several kinds ----------------------------------------------------


def test_a_menu_run_of_short_items_above_the_headline_is_not_the_title() -> None:
    article = _read(f"الرئيسية\nاقتصاد\n{HEADLINE}\n")
    assert article.title == HEADLINE
    assert "الرئيسية" not in _spoken(article) and "اقتصاد" not in _spoken(article)


def test_a_breaking_ticker_does_not_swallow_the_headline_and_byline_under_it() -> None:
    article = _read(f"أخبار عاجلة\n{HEADLINE}\nحوار: سامر الخطيب\nنشر في: 12 نوفمبر 2025 - 09:45\n")
    assert article.title == HEADLINE
    assert article.author == "سامر الخطيب"
    assert article.published is not None and article.published.date() == date(2025, 11, 12)


def test_the_storys_own_heading_and_paragraph_after_a_read_also_box_are_kept() -> None:
    body = (
        f"{BODY}\nطالع أيضا\nالوزير يفتتح حديقة جديدة في حي الشاطئ\n"
        "ردود الفعل\n"
        "وعبر السكان عن ارتياحهم للخطة، مؤكدين أنها ستغير وجه المدينة.\n"
    )
    article = _read(f"{HEADLINE}\n", body)
    spoken = _spoken(article)
    assert "الوزير يفتتح حديقة جديدة في حي الشاطئ" not in spoken
    assert article.segments[-1].heading == "ردود الفعل"
    assert spoken[-1] == "وعبر السكان عن ارتياحهم للخطة، مؤكدين أنها ستغير وجه المدينة."


def test_a_teaser_under_the_other_articles_headline_still_goes() -> None:
    body = (
        f"{BODY}\nاقرأ أيضا:\nالوزير يفتتح حديقة جديدة في حي الشاطئ\n"
        "افتتح الوزير صباح اليوم حديقة عامة على مساحة خمسة دونمات…\n"
        "وقال رئيس البلدية إن الأشجار ستزرع في الربيع.\n"
    )
    spoken = _spoken(_read(f"{HEADLINE}\n", body))
    assert not any("افتتح الوزير صباح اليوم" in text for text in spoken)
    assert spoken[-1] == "وقال رئيس البلدية إن الأشجار ستزرع في الربيع."


@pytest.mark.parametrize("credit", ["Getty Images", "تصوير: ليلى منصور", "(الصورة: أرشيف)"])
def test_the_caption_beside_a_photo_credit_is_not_spoken(credit: str) -> None:
    body = (
        "وافق المجلس البلدي على خطة لتشجير الشوارع الرئيسية خلال العامين المقبلين.\n"
        f"{credit}\nعمال يزرعون أشجار الزيتون على جانب الطريق العام\n"
        "وقال رئيس المجلس إن الخطة تشمل زراعة عشرة آلاف شجرة.\n"
    )
    spoken = " ".join(_spoken(_read(f"{HEADLINE}\n", body)))
    assert "عمال يزرعون" not in spoken
    assert "وقال رئيس المجلس إن الخطة تشمل زراعة عشرة آلاف شجرة." in spoken


def test_a_heading_beside_a_photo_credit_is_kept() -> None:
    body = f"{BODY}\nGetty Images\nردود الفعل\nوعبر السكان عن ارتياحهم للخطة الجديدة.\n"
    article = _read(f"{HEADLINE}\n", body)
    assert article.segments[-1].heading == "ردود الفعل"
