"""The dashboard's charts, drawn server-side: SVG for pages, PNG for Slack.

matplotlib (Agg backend) because one library gives both formats Probity needs, SVG for the
browser and PNG for Slack's images, from the same drawing code, with no browser-side
script. It is imported only when a chart is drawn, so the web process and every command
start without it. Each chart has its figures in a table beside it on the page: the chart
is for the eye, the table for screen readers and for anyone who wants the numbers.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# GOV.UK palette: distinguishable for the common colour-vision deficiencies, and each
# series also differs by hatch so the chart does not rely on colour alone.
_COLOURS = ("#1d70b8", "#f47738", "#00703c", "#d4351c", "#4c2c92", "#505a5f")
_HATCHES = ("", "//", "..", "xx", "\\\\", "--")
# pyplot keeps global state; one chart at a time across the server's threads.
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Chart:
    """What to draw: a title, category labels along the x axis, and named series."""

    title: str
    labels: Sequence[str]
    series: Mapping[str, Sequence[float]]
    kind: str = "bar"  # "bar" (grouped), "stacked" or "line"
    y_label: str = ""
    target: float | None = None
    target_label: str = ""


def render(chart: Chart, fmt: str = "svg") -> bytes:
    """The chart as SVG or PNG bytes."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    with _LOCK:
        figure = Figure(figsize=(7.5, 3.6), dpi=110)
        axes = figure.subplots()
        positions = list(range(len(chart.labels)))
        names = list(chart.series)
        if chart.kind == "line":
            for number, name in enumerate(names):
                axes.plot(positions, list(chart.series[name]), marker="o",
                          color=_COLOURS[number % len(_COLOURS)], label=name)
        else:
            width = 0.8 / (1 if chart.kind == "stacked" else max(1, len(names)))
            bottoms = [0.0] * len(positions)
            for number, name in enumerate(names):
                values = [float(v) for v in chart.series[name]]
                if chart.kind == "stacked":
                    axes.bar(positions, values, width, bottom=bottoms, label=name,
                             color=_COLOURS[number % len(_COLOURS)],
                             hatch=_HATCHES[number % len(_HATCHES)], edgecolor="#ffffff")
                    bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
                else:
                    offset = (number - (len(names) - 1) / 2) * width
                    axes.bar([p + offset for p in positions], values, width, label=name,
                             color=_COLOURS[number % len(_COLOURS)],
                             hatch=_HATCHES[number % len(_HATCHES)], edgecolor="#ffffff")
        if chart.target is not None:
            axes.axhline(chart.target, color="#0b0c0c", linestyle="--", linewidth=1,
                         label=chart.target_label)
        axes.set_xticks(positions, list(chart.labels), rotation=45 if len(positions) > 6 else 0,
                        ha="right" if len(positions) > 6 else "center", fontsize=8)
        axes.set_title(chart.title, fontsize=11, loc="left")
        if chart.y_label:
            axes.set_ylabel(chart.y_label, fontsize=9)
        axes.spines[["top", "right"]].set_visible(False)
        if len(names) > 1 or chart.target is not None:
            axes.legend(fontsize=8, frameon=False)
        figure.tight_layout()
        buffer = io.BytesIO()
        # metadata Date None: the same figures always give the same bytes.
        figure.savefig(buffer, format=fmt,
                       metadata={"Date": None} if fmt == "svg" else None)
        return buffer.getvalue()
