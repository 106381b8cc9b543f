"""Small self-contained SVG charts (line and grouped bar) for the HTML report. Pure: text out."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf")
W, H = 760, 320
LEFT, RIGHT, TOP, BOTTOM = 70, 150, 20, 40


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: tuple[float | None, ...]


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exp = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if value <= step * exp:
            return float(step * exp)
    return float(10 * exp)


def fmt_num(value: float) -> str:
    """1234567 -> '1.2m'; 1234 -> '1.2k'."""
    for div, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(value) >= div:
            return f"{value / div:.3g}{suffix}"
    return f"{value:.3g}"


def _frame(title: str, y_max: float, y_label: str) -> list[str]:
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" '
        f'height="{H}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    plot_h = H - TOP - BOTTOM
    for k in range(5):
        v = y_max * k / 4
        y = TOP + plot_h - plot_h * k / 4
        out.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
            f"{fmt_num(v)}</text>"
        )
    out.append(
        f'<text x="14" y="{TOP + plot_h / 2:.0f}" font-size="11" '
        f'transform="rotate(-90 14 {TOP + plot_h / 2:.0f})" text-anchor="middle">'
        f"{escape(y_label)}</text>"
    )
    return out


def _legend(names: Sequence[str]) -> list[str]:
    out = []
    for i, name in enumerate(names):
        y = TOP + 14 + 18 * i
        color = PALETTE[i % len(PALETTE)]
        out.append(
            f'<rect x="{W - RIGHT + 12}" y="{y - 9}" width="12" height="10" fill="{color}"/>'
            f'<text x="{W - RIGHT + 30}" y="{y}" font-size="11">{escape(name)}</text>'
        )
    return out


def _x_labels(labels: Sequence[str], xs: Sequence[float]) -> list[str]:
    every = max(1, math.ceil(len(labels) / 12))
    return [
        f'<text x="{x:.1f}" y="{H - BOTTOM + 16}" font-size="11" text-anchor="middle">'
        f"{escape(label)}</text>"
        for i, (label, x) in enumerate(zip(labels, xs, strict=True))
        if i % every == 0
    ]


def line_chart(title: str, labels: Sequence[str], series: Sequence[Series], y_label: str) -> str:
    """Lines over categorical x ``labels``; None values break a line."""
    finite = [v for s in series for v in s.values if v is not None]
    y_max = _nice_max(max(finite, default=1.0))
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    n = max(len(labels) - 1, 1)
    xs = [LEFT + plot_w * i / n for i in range(len(labels))]
    out = _frame(title, y_max, y_label)
    for k, s in enumerate(series):
        color = PALETTE[k % len(PALETTE)]
        runs: list[list[str]] = [[]]
        for x, v in zip(xs, s.values, strict=True):
            if v is None:
                runs.append([])
                continue
            runs[-1].append(f"{x:.1f},{TOP + plot_h - plot_h * v / y_max:.1f}")
        for run in runs:
            if run:
                out.append(
                    f'<polyline fill="none" stroke="{color}" stroke-width="1.8" '
                    f'points="{" ".join(run)}"/>'
                )
    out += _x_labels(labels, xs) + _legend([s.name for s in series]) + ["</svg>"]
    return "\n".join(out)


def bar_chart(title: str, labels: Sequence[str], series: Sequence[Series], y_label: str) -> str:
    """Grouped bars: one group per label, one bar per series (None = no bar)."""
    finite = [v for s in series for v in s.values if v is not None]
    y_max = _nice_max(max(finite, default=1.0))
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    group = plot_w / max(len(labels), 1)
    bar = group * 0.8 / max(len(series), 1)
    out = _frame(title, y_max, y_label)
    centers = [LEFT + group * (i + 0.5) for i in range(len(labels))]
    for k, s in enumerate(series):
        color = PALETTE[k % len(PALETTE)]
        for i, v in enumerate(s.values):
            if v is None or v <= 0:
                continue
            h = plot_h * v / y_max
            x = LEFT + group * i + group * 0.1 + bar * k
            out.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{color}"><title>{escape(s.name)} {escape(labels[i])}: '
                f"{fmt_num(v)}</title></rect>"
            )
    out += _x_labels(labels, centers) + _legend([s.name for s in series]) + ["</svg>"]
    return "\n".join(out)
