"""The PDF receipt and the follow-up letter: rendered only from server-side data, in the filer's language, with
fonts for every script."""

from django.utils import timezone

from complaints.pdf import render_pdf


def receipt_pdf(*, complaint, code, evidence, status):
    """PDF bytes of the receipt for `complaint` in the active language. Never given the code's hash."""
    return render_pdf("intake/receipt_pdf.html",
                      {"complaint": complaint, "code": code, "evidence": evidence, "status": status})


def case_letter_pdf(*, complaint, status, outcome, messages, to_complainant):
    """PDF bytes of the follow-up page as a letter in the active language; with the outcome once the case closed."""
    return render_pdf("intake/case_letter_pdf.html", {
        "complaint": complaint, "status": status, "outcome": outcome, "messages_thread": messages,
        "to_complainant": to_complainant, "printed_at": timezone.now(),
    })
