"""Charts drawn on the server as SVG: readable without JavaScript, printable by WeasyPrint, mirrored for
right-to-left pages (in coordinates: the SVG itself is laid out left to right, so a text anchor means the same on
every page). Each chart pictures a table printed beside it, or says its values in its description.
"""

from django.utils.html import escape
from django.utils.translation import gettext as _

WIDTH = 640
BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 250
PALETTE = "#1f4e79"
WITHHELD = "#bbbbbb"


def _shorten(text, limit=42):
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(title, items, *, rtl=False, chart_id="chart"):
    """Horizontal bars for [(label, value or None)]; a withheld value (None) is a grey stub marked as withheld."""
    values = [v for _label, v in items if v is not None]
    top = max(values) if values else 0
    height = len(items) * (BAR_HEIGHT + GAP) + GAP
    plot = WIDTH - LABEL_WIDTH - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'direction="ltr" '
        f'role="img" aria-labelledby="{chart_id}-title"><title id="{chart_id}-title">{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(items):
        y = GAP + i * (BAR_HEIGHT + GAP)
        length = 0 if not value or not top else max(2, plot * value / top)
        shown = _("withheld") if value is None else str(value)
        bar_width = 6 if value is None else length
        if rtl:
            label_x, anchor = WIDTH - 4, "end"
            bar_x = WIDTH - LABEL_WIDTH - bar_width
            value_x, value_anchor = bar_x - 4, "end"
        else:
            label_x, anchor = 4, "start"
            bar_x = LABEL_WIDTH
            value_x, value_anchor = bar_x + bar_width + 4, "start"
        colour = WITHHELD if value is None else PALETTE
        parts.append(
            f'<text x="{label_x}" y="{y + 15}" text-anchor="{anchor}" font-size="12">{escape(_shorten(label))}</text>'
            f'<rect x="{bar_x:.1f}" y="{y}" width="{bar_width:.1f}" height="{BAR_HEIGHT}" fill="{colour}"/>'
            f'<text x="{value_x:.1f}" y="{y + 15}" text-anchor="{value_anchor}" font-size="12">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def time_series(title, points, *, rtl=False, chart_id="series"):
    """Vertical bars over time for [(period label, value or None)], oldest first (right to left when rtl)."""
    points = list(reversed(points)) if rtl else list(points)
    values = [v for _label, v in points if v is not None]
    top = max(values) if values else 0
    height, base = 220, 190
    step = WIDTH / max(1, len(points))
    # The values in words too (the chart's description), since no table beside it repeats them.
    described = "; ".join(f"{label}: {_('withheld') if value is None else value}" for label, value in points)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'direction="ltr" '
        f'role="img" aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(described)}</desc>',
        f'<line x1="0" y1="{base}" x2="{WIDTH}" y2="{base}" stroke="#555"/>',
    ]
    for i, (label, value) in enumerate(points):
        x = i * step + step * 0.2
        bar = 0 if not value or not top else (base - 20) * value / top
        colour = WITHHELD if value is None else PALETTE
        shown = _("withheld") if value is None else str(value)
        parts.append(
            f'<rect x="{x:.1f}" y="{base - max(bar, 2):.1f}" width="{step * 0.6:.1f}" height="{max(bar, 2):.1f}" '
            f'fill="{colour}"/>'
            f'<text x="{x + step * 0.3:.1f}" y="{base - max(bar, 2) - 4:.1f}" text-anchor="middle" '
            f'font-size="12">{escape(shown)}</text>'
            f'<text x="{x + step * 0.3:.1f}" y="{base + 18}" text-anchor="middle" font-size="12">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
