"""The PDF receipt: rendered only from server-side data, in the filer's language, with fonts for every script."""

from django.template.loader import render_to_string
from django.utils.translation import get_language, get_language_bidi
from weasyprint import HTML
from weasyprint.urls import URLFetcher

# Fontconfig picks the first family that has each glyph, so one stack covers Latin (with Vietnamese diacritics),
# Cyrillic, Arabic/Urdu, Devanagari, Gujarati and CJK. The CJK family for the language goes first, because
# Chinese (simplified/traditional), Japanese and Korean share code points but not glyph shapes.
BASE_FONTS = ['"Noto Sans"', '"Noto Sans Arabic"', '"Noto Sans Devanagari"', '"Noto Sans Gujarati"']
CJK_FONTS = {"zh-hans": "SC", "zh-hant": "TC", "ko": "KR"}


def font_stack(language):
    preferred = CJK_FONTS.get(language, "SC")
    cjk = [f'"Noto Sans CJK {preferred}"'] + [f'"Noto Sans CJK {v}"' for v in ("SC", "TC", "KR") if v != preferred]
    return ", ".join(BASE_FONTS + cjk + ["sans-serif"])


class RefuseAllFetcher(URLFetcher):
    """The receipt needs nothing from outside: no file, network or data URL is ever fetched."""

    def fetch(self, url, headers=None):
        raise ValueError(f"receipt rendering fetches no URLs ({url[:40]!r} refused)")


def receipt_pdf(*, complaint, code, evidence, status):
    """PDF bytes of the receipt for `complaint` in the active language. Never given the code's hash."""
    language = get_language() or "en"
    html = render_to_string(
        "intake/receipt_pdf.html",
        {
            "complaint": complaint,
            "code": code,
            "evidence": evidence,
            "status": status,
            "fonts": font_stack(language),
            "language": language,
            "bidi": get_language_bidi(),
        },
    )
    return HTML(string=html, base_url=None, url_fetcher=RefuseAllFetcher()).write_pdf()


def case_letter_pdf(*, complaint, status, outcome, messages, to_complainant):
    """PDF bytes of the follow-up page as a letter in the active language; with the outcome once the case closed."""
    from django.utils import timezone

    language = get_language() or "en"
    html = render_to_string(
        "intake/case_letter_pdf.html",
        {
            "complaint": complaint, "status": status, "outcome": outcome, "messages_thread": messages,
            "to_complainant": to_complainant, "printed_at": timezone.now(),
            "fonts": font_stack(language), "language": language, "bidi": get_language_bidi(),
        },
    )
    return HTML(string=html, base_url=None, url_fetcher=RefuseAllFetcher()).write_pdf()
