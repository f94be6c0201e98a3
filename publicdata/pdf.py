"""The printable quarterly report, rendered by WeasyPrint from the stored release in the active language."""

from django.template.loader import render_to_string
from django.utils.translation import get_language, get_language_bidi
from weasyprint import HTML

from intake.receipts import RefuseAllFetcher, font_stack


def release_pdf(release, tables):
    language = get_language() or "en"
    html = render_to_string("publicdata/report_pdf.html", {
        "release": release, "tables": tables, "fonts": font_stack(language), "language": language,
        "bidi": get_language_bidi(),
    })
    return HTML(string=html, base_url=None, url_fetcher=RefuseAllFetcher()).write_pdf()
