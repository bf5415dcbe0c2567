"""A hand-written SVG of utilisation and abandonment over the shift (no plotting library).

Two panels share the time axis: utilisation per bucket (top) and the cumulative abandonment
rate (bottom, with the campaign's target as a dashed line). One line per policy.
"""

from __future__ import annotations

from html import escape

from amicable.simulation.metrics import SeriesPoint

_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")
_WIDTH, _HEIGHT = 760, 520
_LEFT, _RIGHT = 70, 170  # margins: axis labels on the left, legend on the right
_PANELS = ((40, 250), (300, 480))  # (top, bottom) of each panel in pixels


def render_svg(
    series_by_policy: dict[str, list[SeriesPoint]], *, abandon_target: float, title: str
) -> str:
    end = max((s[-1].end for s in series_by_policy.values() if s), default=1.0)
    max_abandon = max(
        [abandon_target * 1.5] + [p.abandon_rate for s in series_by_policy.values() for p in s]
    )
    plot_right = _WIDTH - _RIGHT

    def x_of(seconds: float) -> float:
        return _LEFT + (plot_right - _LEFT) * seconds / end

    def y_of(value: float, panel: int, top_value: float) -> float:
        top, bottom = _PANELS[panel]
        return bottom - (bottom - top) * min(value, top_value) / top_value

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{_HEIGHT}" '
        f'viewBox="0 0 {_WIDTH} {_HEIGHT}" font-family="sans-serif" font-size="12">',
        f'<rect width="{_WIDTH}" height="{_HEIGHT}" fill="white"/>',
        f'<text x="{_LEFT}" y="22" font-size="15">{escape(title)}</text>',
    ]
    # Axes, grid and labels.
    for panel, (label, top_value, ticks) in enumerate(
        (
            ("utilisation", 1.0, [0.0, 0.25, 0.5, 0.75, 1.0]),
            ("abandon rate (cumulative)", max_abandon, _ticks(max_abandon)),
        )
    ):
        top, bottom = _PANELS[panel]
        parts.append(
            f'<rect x="{_LEFT}" y="{top}" width="{plot_right - _LEFT}" height="{bottom - top}" '
            'fill="none" stroke="#888"/>'
        )
        for value in ticks:
            y = y_of(value, panel, top_value)
            parts.append(
                f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{plot_right}" y2="{y:.1f}" stroke="#eee"/>'
            )
            text = f"{value:.0%}" if panel == 0 else f"{value:.1%}"
            parts.append(f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{text}</text>')
        parts.append(
            f'<text x="16" y="{(top + bottom) / 2:.0f}" transform="rotate(-90 16 '
            f'{(top + bottom) / 2:.0f})" text-anchor="middle">{escape(label)}</text>'
        )
    target_y = y_of(abandon_target, 1, max_abandon)
    parts.append(
        f'<line x1="{_LEFT}" y1="{target_y:.1f}" x2="{plot_right}" y2="{target_y:.1f}" '
        'stroke="#555" stroke-dasharray="5,4"/>'
    )
    parts.append(
        f'<text x="{plot_right - 4}" y="{target_y - 4:.1f}" text-anchor="end" fill="#555">'
        f"target {abandon_target:.1%}</text>"
    )
    hours = end / 3600.0
    step = 1 if hours <= 12 else max(1, round(hours / 8))
    hour = 0
    while hour <= hours + 1e-9:
        x = x_of(hour * 3600.0)
        parts.append(
            f'<text x="{x:.1f}" y="{_PANELS[1][1] + 18}" text-anchor="middle">{hour}h</text>'
        )
        hour += step
    # One line per policy in each panel.
    for i, (name, points) in enumerate(series_by_policy.items()):
        colour = _COLOURS[i % len(_COLOURS)]
        if points:
            utilisation = " ".join(
                f"{x_of((p.start + p.end) / 2):.1f},{y_of(p.utilization, 0, 1.0):.1f}"
                for p in points
            )
            abandonment = " ".join(
                f"{x_of(p.end):.1f},{y_of(p.abandon_rate, 1, max_abandon):.1f}" for p in points
            )
            for line in (utilisation, abandonment):
                parts.append(
                    f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2"/>'
                )
        legend_y = _PANELS[0][0] + 16 * i + 10
        parts.append(
            f'<line x1="{plot_right + 12}" y1="{legend_y}" x2="{plot_right + 32}" '
            f'y2="{legend_y}" stroke="{colour}" stroke-width="3"/>'
        )
        parts.append(f'<text x="{plot_right + 38}" y="{legend_y + 4}">{escape(name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _ticks(top: float) -> list[float]:
    step = 0.01 if top <= 0.06 else 0.02 if top <= 0.12 else 0.05 if top <= 0.3 else 0.1
    ticks = []
    value = 0.0
    while value <= top + 1e-12:
        ticks.append(value)
        value += step
    return ticks
