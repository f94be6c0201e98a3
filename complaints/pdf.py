"""PDF rendering for every document the system prints: receipts, referral packets and case files.

Rendering reads only what it is given: templates carry their own styles, fonts come from the system
(fontconfig), and every URL is refused, so a `file:` or `http:` address typed into a record is printed as text
and never fetched.
"""

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
    """The CSS font-family list for a document in `language`."""
    preferred = CJK_FONTS.get(language, "SC")
    cjk = [f'"Noto Sans CJK {preferred}"'] + [f'"Noto Sans CJK {v}"' for v in ("SC", "TC", "KR") if v != preferred]
    return ", ".join(BASE_FONTS + cjk + ["sans-serif"])


class RefuseAllFetcher(URLFetcher):
    """Documents need nothing from outside: no file, network or data URL is ever fetched.

    WeasyPrint catches the error, logs "refused" and leaves the resource out.
    """

    def fetch(self, url, headers=None):
        raise ValueError(f"PDF rendering fetches no URLs ({url[:60]!r} refused)")


def html_to_pdf(html):
    """PDF bytes of `html`, with every URL refused."""
    return HTML(string=html, base_url=None, url_fetcher=RefuseAllFetcher()).write_pdf()


def render_pdf(template_name, context):
    """PDF bytes of a template rendered in the active language, given `fonts`, `language` and `bidi` for it."""
    language = get_language() or "en"
    context = {**context, "fonts": font_stack(language), "language": language, "bidi": get_language_bidi()}
    return html_to_pdf(render_to_string(template_name, context))
