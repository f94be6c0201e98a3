"""The printable quarterly report, rendered by WeasyPrint from the stored release in the active language."""

from complaints.pdf import render_pdf


def release_pdf(release, tables):
    return render_pdf("publicdata/report_pdf.html", {"release": release, "tables": tables})
