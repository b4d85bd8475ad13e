"""Charts drawn on the server as inline SVG: no script, nothing to download, readable on
a phone. Each returns markup for a template (``|safe`` is not needed: it is Markup)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 900
BAR_GAP = 2


@dataclass(frozen=True)
class Series:
    name: str
    css: str  # a class the stylesheet colours
    values: Sequence[float]


def columns(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    height: int = 200,
    show: Callable[[float], str] = lambda v: f"{v:g}",
    title: str,
) -> Markup:
    """Stacked columns, one per label (a day), with the largest total marked."""
    count = max(1, len(labels))
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    top = max(totals, default=0) or 1
    plot_h = height - 28
    width = WIDTH / count
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, label in enumerate(labels):
        x = i * width
        base = plot_h
        for one in series:
            value = one.values[i]
            bar_h = plot_h * value / top
            if bar_h > 0:
                base -= bar_h
                parts.append(
                    f'<rect class="{one.css}" x="{x + BAR_GAP / 2:.1f}" y="{base:.1f}" '
                    f'width="{max(width - BAR_GAP, 1):.1f}" height="{bar_h:.1f}">'
                    f"<title>{escape(label)} {escape(one.name)}: {escape(show(value))}</title>"
                    "</rect>"
                )
        if count <= 14 or i % max(1, count // 7) == 0:
            parts.append(
                f'<text x="{min(max(x + width / 2, 24), WIDTH - 24):.1f}" y="{height - 8}" '
                'text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    parts.append(
        f'<text class="peak" x="4" y="12">max {escape(show(max(totals, default=0)))}</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def bars(
    rows: Sequence[tuple[str, float]],
    *,
    show: Callable[[float], str] = lambda v: f"{v:g}",
    css: str = "spend",
    title: str,
) -> Markup:
    """Horizontal bars, one per row (a channel), longest first as given."""
    row_h = 26
    height = max(1, len(rows)) * row_h + 4
    top = max((value for _, value in rows), default=0) or 1
    label_w = 180
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(rows):
        y = i * row_h + 2
        length = (WIDTH - label_w - 90) * value / top
        parts.append(
            f'<text x="0" y="{y + 17}">{escape(label[:24])}</text>'
            f'<rect class="{css}" x="{label_w}" y="{y + 3}" width="{max(length, 1):.1f}" '
            f'height="{row_h - 8}"><title>{escape(label)}: {escape(show(value))}</title></rect>'
            f'<text x="{label_w + length + 6:.1f}" y="{y + 17}">{escape(show(value))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def meter(used: float, size: float, reserve: float = 0) -> Markup:
    """A quota or disk bar: used out of size, with the reserve marked at its end."""
    size = size or 1
    used_pct = min(100.0, 100.0 * used / size)
    level = "fail" if used_pct >= 90 else "warn" if used_pct >= 70 else "ok"
    reserve_at = 100.0 - min(100.0, 100.0 * reserve / size)
    return Markup(
        f'<svg class="meter" viewBox="0 0 100 8" preserveAspectRatio="none" role="img" '
        f'aria-label="{used_pct:.0f}% used"><rect class="track" width="100" height="8"/>'
        f'<rect class="{level}" width="{used_pct:.2f}" height="8"/>'
        + (
            f'<line class="reserve" x1="{reserve_at:.2f}" x2="{reserve_at:.2f}" y1="0" y2="8"/>'
            if reserve
            else ""
        )
        + "</svg>"
    )
