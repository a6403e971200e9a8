"""The pronunciation lexicon: TOML files, the built-in acronyms, and how entries match."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from narrate.errors import NarrateError
from narrate.text.lexicon import Lexicon, LexiconError, join_proclitic

ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")


def write(tmp_path: Path, text: str, name: str = "words.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def lex(words: dict[str, str], **options: bool) -> Lexicon:
    return Lexicon.from_mapping(words, **options)


# --- The built-in lexicon -------------------------------------------------------------


def test_default_speaks_common_news_acronyms_in_arabic() -> None:
    text = "قالت UNESCO وWHO إن GDP تراجع، وحذر IMF وNATO وEU من آثار AI على USA وUK."

    assert Lexicon.default().apply(text) == (
        "قالت اليونسكو ومنظمة الصحة العالمية إن الناتج المحلي الإجمالي تراجع، "
        "وحذر صندوق النقد الدولي والناتو والاتحاد الأوروبي من آثار الذكاء الاصطناعي "
        "على الولايات المتحدة والمملكة المتحدة."
    )


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("UN", "الأمم المتحدة"),
        ("US", "الولايات المتحدة"),
        ("CEO", "الرئيس التنفيذي"),
        ("FIFA", "الفيفا"),
        ("COVID-19", "كوفيد تسعة عشر"),
        ("BBC", "بي بي سي"),
        ("CNN", "سي إن إن"),
        ("OPEC", "أوبك"),
        ("OPEC+", "أوبك بلس"),
        ("U.S.", "الولايات المتحدة"),
    ],
)
def test_default_entries(text: str, spoken: str) -> None:
    assert Lexicon.default().apply(f"قال {text} اليوم") == f"قال {spoken} اليوم"


def test_default_spoken_forms_are_arabic_and_keys_latin() -> None:
    default = Lexicon.default()

    assert len(default) >= 40
    for entry in default.entries:
        assert ARABIC_LETTER.search(entry.spoken), entry
        assert not ARABIC_LETTER.search(entry.key), entry
        assert entry.case_sensitive


def test_default_leaves_english_words_that_look_like_acronyms() -> None:
    text = "He asked who it was for us, not the UN."

    assert Lexicon.default().apply(text) == "He asked who it was for us, not the الأمم المتحدة."


def test_default_is_loaded_once() -> None:
    assert Lexicon.default() is Lexicon.default()


# --- Matching ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["FUN", "UNITED", "UN2", "2UN", "UN_X", "xUN", "الUNأ"])
def test_latin_keys_match_whole_words_only(text: str) -> None:
    assert lex({"UN": "الأمم المتحدة"}).apply(text) == text


@pytest.mark.parametrize("text", ["ناسات", "مناسا", "ناسان", "ناساه"])
def test_arabic_keys_never_match_inside_a_longer_word(text: str) -> None:
    assert lex({"ناسا": "X"}).apply(text) == text


def test_punctuation_and_hyphens_end_a_word() -> None:
    lexicon = lex({"UN": "الأمم المتحدة", "ناسا": "وكالة الفضاء"})

    assert lexicon.apply("(UN)، «ناسا»؛ UN-led ناسا.") == (
        "(الأمم المتحدة)، «وكالة الفضاء»؛ الأمم المتحدة-led وكالة الفضاء."
    )


def test_the_longest_entry_wins() -> None:
    lexicon = lex({"UN": "A", "UNESCO": "B", "الأمم": "C", "الأمم المتحدة": "D"})

    assert lexicon.apply("UN UNESCO الأمم المتحدة الأمم") == "A B D C"


def test_replacements_are_not_replaced_again() -> None:
    lexicon = lex({"A1": "B2", "B2": "C3", "ناسا": "وكالة ناسا"})

    assert lexicon.apply("A1 B2 ناسا") == "B2 C3 وكالة ناسا"


def test_multi_word_keys_match_across_any_run_of_spaces_on_one_line() -> None:
    lexicon = lex({"الأمم المتحدة": "الأُمَم المُتَّحِدة"})

    assert lexicon.apply("الأمم   المتحدة") == "الأُمَم المُتَّحِدة"
    assert lexicon.apply("الأمم\nالمتحدة") == "الأمم\nالمتحدة"


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("وناسا", "ووكالة الفضاء"),
        ("فناسا", "فوكالة الفضاء"),
        ("بناسا", "بوكالة الفضاء"),
        ("لناسا", "لوكالة الفضاء"),
        ("كناسا", "كوكالة الفضاء"),
        ("الناسا", "الوكالة الفضاء"),
        ("وبناسا", "وبوكالة الفضاء"),
    ],
)
def test_proclitics_stay_on_the_spoken_form(text: str, spoken: str) -> None:
    assert lex({"ناسا": "وكالة الفضاء"}).apply(text) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("الAI", "الذكاء الاصطناعي"),
        ("الـAI", "الذكاء الاصطناعي"),
        ("الـ AI", "الذكاء الاصطناعي"),
        ("ال AI", "الذكاء الاصطناعي"),
        ("وAI", "والذكاء الاصطناعي"),
        ("بالAI", "بالذكاء الاصطناعي"),
        ("وبالـAI", "وبالذكاء الاصطناعي"),
        ("لAI", "للذكاء الاصطناعي"),
        ("للAI", "للذكاء الاصطناعي"),
        ("فللAI", "فللذكاء الاصطناعي"),
        ("كالAI", "كالذكاء الاصطناعي"),
    ],
)
def test_an_article_on_the_word_is_not_doubled(text: str, spoken: str) -> None:
    assert lex({"AI": "الذكاء الاصطناعي"}).apply(f"عن {text} اليوم") == f"عن {spoken} اليوم"


def test_a_key_that_starts_like_a_proclitic_is_matched_whole_first() -> None:
    lexicon = lex({"بكين": "بيجين", "كين": "X"})

    assert lexicon.apply("بكين وبكين كين") == "بيجين وبيجين X"


def test_short_arabic_keys_match_only_as_whole_words() -> None:
    lexicon = lex({"كم": "كيلومتر"})

    assert lexicon.apply("بكم كم وكم") == "بكم كيلومتر وكم"


def test_prefixes_can_be_turned_off(tmp_path: Path) -> None:
    path = write(tmp_path, '[options]\nprefixes = false\n[words]\n"مصر" = "مِصْر"\n')

    assert Lexicon.load(path).apply("مصر ومصر بمصر") == "مِصْر ومصر بمصر"


def test_diacritics_and_tatweel_in_the_text_do_not_stop_a_match() -> None:
    lexicon = lex({"ناسا": "X"})

    assert lexicon.apply("نَاسَا ونــاسا ناسـا") == "X وX X"


def test_diacritics_in_a_key_are_ignored() -> None:
    lexicon = lex({"نَاسَا": "X"})

    assert lexicon.entries[0].key == "ناسا"
    assert lexicon.apply("ناسا") == "X"


def test_latin_case_matters_by_default() -> None:
    assert lex({"WHO": "X"}).apply("WHO who Who") == "X who Who"


def test_case_can_be_ignored(tmp_path: Path) -> None:
    path = write(tmp_path, '[options]\ncase_sensitive = false\n[words]\n"Nasa" = "ناسا"\n')

    assert Lexicon.load(path).apply("NASA Nasa nasa NaSa") == "ناسا ناسا ناسا ناسا"


def test_an_empty_spoken_form_drops_the_word() -> None:
    assert lex({"(AFP)": ""}).apply("قال (AFP) إن") == "قال  إن"


def test_an_empty_lexicon_changes_nothing() -> None:
    assert Lexicon().apply("AI ناسا") == "AI ناسا"
    assert len(Lexicon()) == 0


@pytest.mark.parametrize(
    ("prefix", "spoken", "joined"),
    [
        ("و", "الأمم", "والأمم"),
        ("ال", "الأمم", "الأمم"),
        ("ل", "الأمم", "للأمم"),
        ("لل", "الأمم", "للأمم"),
        ("ول", "الأمم", "وللأمم"),
        ("بال", "الأمم", "بالأمم"),
        ("ب", "منظمة", "بمنظمة"),
        ("ل", "منظمة", "لمنظمة"),
        ("الـ ", "ناسا", "الناسا"),
    ],
)
def test_join_proclitic(prefix: str, spoken: str, joined: str) -> None:
    assert join_proclitic(prefix, spoken) == joined


FILLER = st.lists(
    st.sampled_from(["قال", "الرئيس", "في", "the", "report", "2024", "،", ".", "ناسات", "UNITED"]),
    max_size=8,
)


@given(before=FILLER, after=FILLER)
def test_entries_amid_other_words_are_replaced_and_nothing_else(
    before: list[str], after: list[str]
) -> None:
    lexicon = lex({"UN": "الأمم المتحدة", "ناسا": "وكالة الفضاء"})
    text = " ".join([*before, "UN", "وناسا", *after])

    assert lexicon.apply(text) == " ".join([*before, "الأمم المتحدة", "ووكالة الفضاء", *after])
    assert lexicon.apply(" ".join(before + after)) == " ".join(before + after)


@given(st.text())
def test_any_text_is_handled(text: str) -> None:
    result = Lexicon.default().apply(text)

    assert isinstance(result, str)
    if not re.search(r"[A-Za-z]", text):
        assert result == text  # the built-in keys are all Latin


# --- Merging ------------------------------------------------------------------------------


def test_merged_entries_win_and_the_rest_stay() -> None:
    merged = Lexicon.default().merged(lex({"AI": "إيه آي", "ناسا": "نَاسَا"}))

    assert merged.apply("AI UN ناسا") == "إيه آي الأمم المتحدة نَاسَا"
    assert len(merged) == len(Lexicon.default()) + 1


def test_a_case_insensitive_entry_replaces_every_spelling_it_covers() -> None:
    base = lex({"NASA": "ناسا", "Nasa": "نازا", "FBI": "إف بي آي"})
    merged = base.merged(lex({"nasa": "وكالة ناسا"}, case_sensitive=False))

    assert merged.apply("NASA Nasa nasa FBI") == "وكالة ناسا وكالة ناسا وكالة ناسا إف بي آي"


def test_a_case_sensitive_entry_wins_over_a_case_insensitive_one_for_its_spelling() -> None:
    base = lex({"nasa": "ناسا"}, case_sensitive=False)
    merged = base.merged(lex({"NASA": "وكالة ناسا"}))

    assert merged.apply("NASA Nasa") == "وكالة ناسا ناسا"


# --- Files ----------------------------------------------------------------------------------


def test_load_reads_words_and_options(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "# a producer's words\n"
        "[words]\n"
        '"AI" = "الذكاء الاصطناعي"\n'
        "Tesla = 'تِسْلا'\n"
        '"  ناسا  " = "  نَاسَا "\n'
        "[options]\n"
        "case_sensitive = true\n",
    )

    lexicon = Lexicon.load(path)

    assert [(e.key, e.spoken) for e in lexicon.entries] == [
        ("AI", "الذكاء الاصطناعي"),
        ("Tesla", "تِسْلا"),
        ("ناسا", "نَاسَا"),
    ]
    assert lexicon.apply("AI Tesla وناسا") == "الذكاء الاصطناعي تِسْلا ونَاسَا"


def test_a_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes('\ufeff[words]\n"AI" = "ذكاء"\n'.encode())

    assert Lexicon.load(path).apply("AI") == "ذكاء"


def test_an_empty_file_is_an_empty_lexicon(tmp_path: Path) -> None:
    assert len(Lexicon.load(write(tmp_path, ""))) == 0


def error_for(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(LexiconError) as info:
        Lexicon.load(path)
    message = str(info.value)
    assert "\n" not in message
    assert str(path) in message
    return message.replace(str(path), "FILE")


def test_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"

    with pytest.raises(LexiconError, match=r"^cannot read the lexicon ") as info:
        Lexicon.load(missing)
    assert str(info.value) == f"cannot read the lexicon {missing}: No such file or directory"
    assert isinstance(info.value, NarrateError)
    assert isinstance(info.value, ValueError)


def test_a_directory_is_not_a_lexicon(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match=r"^cannot read the lexicon .*: Is a directory$"):
        Lexicon.load(tmp_path)


def test_bad_toml_names_the_line(tmp_path: Path) -> None:
    message = error_for(tmp_path, '[words]\n"AI" = "ذكاء"\n"UN" "الأمم"\n')

    assert message.startswith("the lexicon FILE is not valid TOML: ")
    assert "line 3" in message


def test_a_repeated_key_is_bad_toml(tmp_path: Path) -> None:
    message = error_for(tmp_path, '[words]\n"AI" = "ذكاء"\n"AI" = "ذكاء"\n')

    assert message.startswith("the lexicon FILE is not valid TOML: ")
    assert "line 3" in message


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "cp1256.toml"
    path.write_bytes('[words]\n"AI" = "ذكاء"\n'.encode("cp1256"))

    with pytest.raises(LexiconError, match=r"^the lexicon .*cp1256\.toml is not UTF-8 text"):
        Lexicon.load(path)


def test_a_spoken_form_that_is_not_text(tmp_path: Path) -> None:
    message = error_for(tmp_path, '[words]\n"AI" = "ذكاء"\n\n"G7" = 7\n')

    assert message == "FILE: [words] 'G7' (line 4) must be text, not a number"


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('"" = "x"', "'' (line 2): a word to replace cannot be empty"),
        ('"  " = "x"', "'  ' (line 2): a word to replace cannot be empty"),
        ('"%" = "بالمئة"', "'%' (line 2): a word to replace needs a letter or digit"),
        ('"ًٌ" = "x"', "'ًٌ' (line 2): a word to replace cannot be empty"),
        ('"a\\nb" = "x"', "'a\\nb': a word to replace cannot contain a line break"),
        ('"AI" = "ذكاء\\nاصطناعي"', "'AI' (line 2): the spoken form cannot contain a line break"),
        ('"AI" = ["ذكاء"]', "'AI' (line 2) must be text, not a list"),
        ('"AI" = true', "'AI' (line 2) must be text, not true/false"),
    ],
)
def test_bad_entries(tmp_path: Path, line: str, problem: str) -> None:
    assert error_for(tmp_path, f"[words]\n{line}\n") == f"FILE: [words] {problem}"


def test_keys_that_collide_when_case_is_ignored(tmp_path: Path) -> None:
    message = error_for(
        tmp_path, '[options]\ncase_sensitive = false\n[words]\n"AI" = "a"\n"ai" = "b"\n'
    )

    assert message == "FILE: [words] 'ai' (line 5) repeats 'AI' (case_sensitive = false)"


def test_keys_that_collide_once_diacritics_are_ignored(tmp_path: Path) -> None:
    message = error_for(tmp_path, '[words]\n"ناسا" = "a"\n"نَاسَا" = "b"\n')

    assert message == "FILE: [words] 'نَاسَا' (line 3) repeats 'ناسا'"


def test_an_unknown_table(tmp_path: Path) -> None:
    message = error_for(tmp_path, '[word]\n"AI" = "ذكاء"\n')

    assert message == (
        "the lexicon FILE has an unknown table or key 'word' (line 1): use [words] and [options]"
    )


def test_words_must_be_a_table(tmp_path: Path) -> None:
    message = error_for(tmp_path, 'words = "AI"\n')

    assert message == "the lexicon FILE: words must be a table ([words]), not a str"


def test_an_unknown_option(tmp_path: Path) -> None:
    message = error_for(tmp_path, "[options]\n\ncase = false\n")

    assert message == (
        "the lexicon FILE has an unknown option 'case' (line 3):"
        " choose from case_sensitive, prefixes"
    )


def test_an_option_that_is_not_true_or_false(tmp_path: Path) -> None:
    message = error_for(tmp_path, '[options]\ncase_sensitive = "no"\n')

    assert (
        message
        == "the lexicon FILE: option case_sensitive (line 2) must be true or false, not a str"
    )
