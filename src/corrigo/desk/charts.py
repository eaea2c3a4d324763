"""Bar charts drawn on the server: the geometry of an SVG the template writes out (no chart library).

Each chart is an accessible image (a title and a description the template puts in the
SVG, each bar with its own tooltip title); the page shows the same numbers in a table
beside it, which is what screen readers and spreadsheets read.
"""

from dataclasses import dataclass

WIDTH = 640
HEIGHT = 220
MARGIN_LEFT = 44
MARGIN_BOTTOM = 28
MARGIN_TOP = 12
ROW = 28  # a horizontal bar's row height
LABEL_WIDTH = 150


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float
    shown: str  # the value as the tooltip and the table say it
    css: str = ""

    @property
    def middle_y(self) -> float:
        return round(self.y + self.height / 2, 2)

    @property
    def end_x(self) -> float:
        return round(self.x + self.width + 6, 2)


@dataclass(frozen=True)
class Tick:
    position: float
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[Tick]  # value axis
    labels: list[Tick]  # category axis (a few, so they never overlap)
    plot_left: float
    plot_bottom: float
    plot_right: float

    @property
    def value_axis_x(self) -> float:
        return self.plot_left - 6

    @property
    def label_axis_x(self) -> float:
        return self.plot_left - 8

    @property
    def label_axis_y(self) -> float:
        return self.plot_bottom + 16


def _nice_top(value: float) -> float:
    """A round number at or above the largest value, for the axis."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def columns(points: list[tuple[str, float]], *, shown=None, every: int | None = None) -> Chart:
    """Vertical bars over a series (cases per day): labels below a few of them, a value axis at the left."""
    shown = shown or _number
    top = _nice_top(max((v for _, v in points), default=0))
    plot_w = WIDTH - MARGIN_LEFT - 8
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    slot = plot_w / max(len(points), 1)
    gap = min(slot * 0.2, 6)
    bars = []
    for i, (label, value) in enumerate(points):
        height = plot_h * value / top
        bars.append(
            Bar(
                x=round(MARGIN_LEFT + i * slot + gap / 2, 2),
                y=round(MARGIN_TOP + plot_h - height, 2),
                width=round(max(slot - gap, 1), 2),
                height=round(height, 2),
                label=label,
                value=value,
                shown=shown(value),
            )
        )
    every = every or max(1, -(-len(points) // 8))
    labels = [Tick(round(b.x + b.width / 2, 2), b.label) for i, b in enumerate(bars) if i % every == 0]
    ticks = [Tick(round(MARGIN_TOP + plot_h - plot_h * f, 2), _number(top * f)) for f in (0, 0.5, 1)]
    return Chart(WIDTH, HEIGHT, bars, ticks, labels, MARGIN_LEFT, MARGIN_TOP + plot_h, WIDTH - 8)


def rows(points: list[tuple[str, float]], *, shown=None, classes: list[str] | None = None) -> Chart:
    """Horizontal bars, one per category (outcomes, hours by category), labelled at the left."""
    shown = shown or _number
    top = _nice_top(max((v for _, v in points), default=0))
    plot_w = WIDTH - LABEL_WIDTH - 60
    height = MARGIN_TOP + ROW * max(len(points), 1) + MARGIN_BOTTOM
    bars = [
        Bar(
            x=LABEL_WIDTH,
            y=MARGIN_TOP + i * ROW + 4,
            width=round(plot_w * value / top, 2),
            height=ROW - 8,
            label=label,
            value=value,
            shown=shown(value),
            css=classes[i] if classes else "",
        )
        for i, (label, value) in enumerate(points)
    ]
    ticks = [Tick(round(LABEL_WIDTH + plot_w * f, 2), _number(top * f)) for f in (0, 0.5, 1)]
    labels = [Tick(b.y + b.height / 2, b.label) for b in bars]
    return Chart(WIDTH, height, bars, ticks, labels, LABEL_WIDTH, height - MARGIN_BOTTOM, LABEL_WIDTH + plot_w)
