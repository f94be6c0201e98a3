"""The PDF receipt: rendered only from server-side data, in the filer's language, with fonts for every script."""

from complaints.pdf import render_pdf


def receipt_pdf(*, complaint, code, evidence, status):
    """PDF bytes of the receipt for `complaint` in the active language. Never given the code's hash."""
    return render_pdf("intake/receipt_pdf.html",
                      {"complaint": complaint, "code": code, "evidence": evidence, "status": status})
