"""Every string a filer can see must be translated in every language (by a fluent writer, not a machine)."""

import shutil
import subprocess
import sys
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


@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda path: path.parts[-3])
def test_no_untranslated_or_fuzzy_entries(po_path):
    problems = untranslated_entries(po_path.read_text(encoding="utf-8"))
    assert not problems, f"{len(problems)} untranslated or fuzzy in {po_path.parts[-3]}: {problems[:5]}"


def test_the_catalogs_hold_every_string_in_the_source(tmp_path):
    """A string added to the code but never extracted would show in English: extract again and compare."""
    root = LOCALE_DIR.parent
    copy = tmp_path / "project"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".venv", ".git", "var", "tests", "bench", "*.mo",
                                                               "__pycache__", "node_modules"))
    languages = sorted(path.parts[-3] for path in PO_FILES)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--ignore=tests", "--ignore=bench", "-v", "0",
         *[f"-l{language}" for language in languages]],
        cwd=copy, check=True, env={"DEBUG": "1", "PATH": "/usr/bin:/bin", "VAR_DIR": str(tmp_path / "var")},
    )
    missing = {}
    for language in languages:
        problems = untranslated_entries((copy / "locale" / language / "LC_MESSAGES" / "django.po").read_text())
        if problems:
            missing[language] = problems[:5]
    assert not missing, f"strings in the code missing from the catalogs (run makemessages and translate): {missing}"
