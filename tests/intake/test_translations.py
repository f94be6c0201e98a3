"""Every string a filer can see must be translated in every language (by a fluent writer, not a machine)."""

from pathlib import Path

import pytest

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"
PO_FILES = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))


def untranslated_entries(text):
    """msgids of a .po file's text whose translation is empty or marked fuzzy (the header excluded)."""
    problems = []
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip() and not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        msgid, msgstrs, current = "", [], None
        for line in lines:
            if line.startswith("msgid "):
                current, msgid = "msgid", line[len("msgid "):].strip('"')
            elif line.startswith("msgid_plural "):
                current = "plural"
            elif line.startswith("msgstr"):
                current = "msgstr"
                msgstrs.append(line.split(" ", 1)[1].strip('"'))
            elif line.startswith('"') and current == "msgid":
                msgid += line.strip('"')
            elif line.startswith('"') and current == "msgstr":
                msgstrs[-1] += line.strip('"')
        if msgid == "":
            continue  # the header
        if fuzzy or not msgstrs or any(not text for text in msgstrs):
            problems.append(msgid)
    return problems


def test_the_check_finds_empty_fuzzy_and_partly_translated_plural_entries():
    sample = '\n'.join([
        'msgid ""', 'msgstr ""', '"Language: xx\\n"', "",
        'msgid "Done"', 'msgstr "Hecho"', "",
        'msgid "Empty"', 'msgstr ""', "",
        "#, fuzzy", 'msgid "Guessed"', 'msgstr "Adivinado"', "",
        'msgid ""', '"Long "', '"text"', 'msgstr ""', '"Texto "', '"largo"', "",
        'msgid "One file"', 'msgid_plural "%(n)d files"', 'msgstr[0] "Un archivo"', 'msgstr[1] ""', "",
    ])
    assert untranslated_entries(sample) == ["Empty", "Guessed", "One file"]


def test_every_language_has_a_catalog():
    languages = {path.parts[-3] for path in PO_FILES}
    assert languages == {"es", "pl", "zh_Hans", "zh_Hant", "ar", "tl", "ko", "hi", "ur", "gu", "ru", "uk", "vi"}


@pytest.mark.xfail(strict=False, reason="translations pending")
@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda path: path.parts[-3])
def test_no_untranslated_or_fuzzy_entries(po_path):
    problems = untranslated_entries(po_path.read_text(encoding="utf-8"))
    assert not problems, f"{len(problems)} untranslated or fuzzy in {po_path.parts[-3]}: {problems[:5]}"
