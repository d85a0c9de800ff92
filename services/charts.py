"""Server-rendered SVG pictures for the managers' view: progress bars and a records-per-day chart.

Only SVG presentation attributes are used (no inline style), so the pages keep the strict CSP.
"""

from __future__ import annotations

from datetime import date
from html import escape

from markupsafe import Markup

BAR_FILL = "#2f8f46"
BAR_OVER = "#1f5fbf"
TRACK = "#e8ebf0"
INK = "#1d2330"
MUTED = "#5b6474"


def progress_bar(value: int, target: int, *, width: int = 220, height: int = 14) -> Markup:
    """A horizontal bar: the share of ``target`` reached (full and blue when the target is passed)."""
    share = min(value / target, 1.0) if target > 0 else 0.0
    filled = round(width * share, 1)
    colour = BAR_OVER if target and value >= target else BAR_FILL
    label = f"{value:,} of {target:,}" if target else f"{value:,} (no target)"
    return Markup(
        f'<svg class="bar" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}"><title>{escape(label)}</title>'
        f'<rect x="0" y="0" width="{width}" height="{height}" rx="3" fill="{TRACK}"/>'
        f'<rect x="0" y="0" width="{filled}" height="{height}" rx="3" fill="{colour}"/></svg>'
    )


def _nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 × 10^k not below ``value`` (the chart's top line)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= value:
                return m * step
        step *= 10


def daily_chart(days: list[tuple[date, int]], *, width: int = 760, height: int = 220, title: str = "") -> Markup:
    """Bars of a count per day (days given in order, gaps included as zeros), with a scale and dates."""
    left, right, top, bottom = 48, 10, 12, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_ceiling(max((n for _d, n in days), default=0))
    parts = [
        f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title or "records per day")}" font-family="DejaVu Sans, sans-serif" font-size="11">',
        f"<title>{escape(title or 'records per day')}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>',
    ]
    ticks = 5 if peak >= 5 else peak  # the top is 1, 2 or 5 × 10^k: whole steps either way
    for k in range(ticks + 1):  # horizontal grid lines with their values
        value = peak * k / ticks
        y = top + plot_h - plot_h * k / ticks
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{TRACK}"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">{value:,.0f}</text>')
    if days:
        slot = plot_w / len(days)
        bar_w = max(slot * 0.8, 1.0)
        every = max(1, len(days) // 8)  # about eight date labels whatever the span
        for i, (day, count) in enumerate(days):
            h = plot_h * count / peak
            x = left + i * slot + (slot - bar_w) / 2
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{BAR_OVER}"><title>{day.isoformat()}: {count:,}</title></rect>'
            )
            if i % every == 0 or i == len(days) - 1:
                cx = left + i * slot + slot / 2
                parts.append(
                    f'<text x="{cx:.1f}" y="{height - bottom + 16}" text-anchor="middle" fill="{MUTED}">'
                    f"{day.strftime('%d.%m')}</text>"
                )
    else:
        parts.append(f'<text x="{left + 8}" y="{top + plot_h / 2:.1f}" fill="{MUTED}">no record yet</text>')
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{INK}"/></svg>'
    )
    return Markup("".join(parts))
