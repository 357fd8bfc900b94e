"""Charts of one project: cumulative flow, risk exposure trend, PPTF readiness (plotext)."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult, RenderResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Static
from textual.worker import get_current_worker
from textual_plotext import PlotextPlot
from textual_plotext.plot import Plot

from ecpm_tui import charts
from ecpm_tui.resources import css_path
from ecpm_tui.screens.base import EcpmScreen
from ecpm_tui.screens.footer import FitFooter
from ecpm_tui.screens.header import FitHeader
from ecpm_tui.text import clean

CHARTS: tuple[tuple[str, str], ...] = (
    ("flow", "Cumulative flow"),
    ("exposure", "Risk exposure"),
    ("readiness", "PPTF readiness"),
)
# Fixed colours (RGB, the same in the plot and in the legend line), so every run draws
# the same picture and the legend names each colour.
RGB = tuple[int, int, int]
PHASE_COLOURS: tuple[RGB, ...] = (
    (0, 175, 255),
    (95, 95, 255),
    (215, 95, 215),
    (255, 175, 0),
    (95, 215, 95),
)
DIMENSION_COLOURS: tuple[RGB, ...] = ((0, 175, 255), (215, 95, 215), (255, 175, 0), (95, 215, 95))
LINE_COLOURS: tuple[RGB, ...] = ((255, 95, 95), (95, 215, 95))
TICKS = 5  # date labels on the x axis: a few fit at 80 columns


def hex_colour(rgb: RGB) -> str:
    """``#rrggbb`` for a Textual style."""
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def legend(
    chart: charts.ChartData, colours: tuple[RGB, ...], latest: bool, width: int = 80
) -> Content:
    """One line naming each series beside its colour; *latest* adds today's value, so the
    numbers can be read without telling colours apart. Short names when it is too long."""

    def line(short: bool) -> Content:
        parts: list[tuple[str, str] | str] = []
        for series, rgb in zip(chart.series, colours, strict=False):
            value = series.values[-1] if latest and series.values else None
            label = charts.short_label(series.label) if short else series.label
            text = f" {label}" + (f" {value:g}" if value is not None else "")
            parts += [("■", hex_colour(rgb)), text, "  "]
        return Content.assemble(*parts[:-1])

    full = line(False)
    return full if full.cell_length <= width - 2 else line(True)


def readiness_numbers(chart: charts.ChartData) -> str:
    """The bars as numbers, per phase that has any (People/Processes/Technology/Finance)."""
    cells = []
    for i, phase in enumerate(chart.x_labels):
        scores = [s.values[i] for s in chart.series]
        if any(v is not None for v in scores):
            cells.append(f"{phase} " + "/".join("-" if v is None else f"{v:.0f}" for v in scores))
    if not cells:
        return chart.note
    names = "/".join(s.label for s in chart.series)
    return "  ".join(cells) + f"  ({names}, %)"


def y_ticks(top: float) -> list[float]:
    """Whole-number ticks from 0 to at least *top*, about five of them."""
    step = 1
    for nice in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        step = nice
        if top / nice <= 5:
            break
    return [float(v) for v in range(0, int(top) + step, step)] if top > 0 else [0.0, 1.0]


def date_ticks(labels: tuple[str, ...]) -> tuple[list[float], list[str]]:
    """A few evenly spaced x positions and their dates (MM-DD), the last one today."""
    n = len(labels)
    if n == 0:
        return [], []
    step = max(1, -(-(n - 1) // (TICKS - 1)))
    ticks = sorted({*range(n - 1, -1, -step)})
    return [float(i) for i in ticks], [labels[i][5:] for i in ticks]


THEME = "clear"  # plotext draws on the terminal's own background, light or dark


def runs(values: list[float]) -> list[list[int]]:
    """The runs of consecutive indices where *values* are above zero."""
    out: list[list[int]] = []
    for i, v in enumerate(values):
        if v > 0:
            if out and out[-1][-1] == i - 1:
                out[-1].append(i)
            else:
                out.append([i])
    return out


def draw_flow(plt: Plot, chart: charts.ChartData) -> None:
    """Stacked areas: each phase's band sits on the later phases' (Closure at the bottom)."""
    x = [float(i) for i in range(len(chart.x_labels))]
    stacked = [0.0] * len(x)
    bands: list[tuple[list[float], list[float], RGB]] = []
    for series, colour in reversed(list(zip(chart.series, PHASE_COLOURS, strict=True))):
        height = [v or 0.0 for v in series.values]
        stacked = [a + b for a, b in zip(stacked, height, strict=True)]
        bands.append((stacked, height, colour))
    # The tallest first: each lower band is filled (down to the axis) over the one above
    # it. A band is drawn only where it holds cards: its line at zero height would paint
    # the row of the band below. The "sd" marker (one point a cell) fills in a tenth of
    # the time braille takes.
    for top, height, colour in reversed(bands):
        for run in runs(height):
            plt.plot([x[i] for i in run], [top[i] for i in run], color=colour, fillx=True,
                     marker="sd")  # fmt: skip
    ticks = y_ticks(max(stacked, default=0.0))
    plt.ylim(0, ticks[-1])
    plt.yticks(ticks)
    plt.xticks(*date_ticks(chart.x_labels))


def draw_exposure(plt: Plot, chart: charts.ChartData) -> None:
    """Two lines, inherent and current score sums, one point a week."""
    x = [float(i) for i in range(len(chart.x_labels))]
    top = 0.0
    for series, colour in zip(chart.series, LINE_COLOURS, strict=True):
        y = [v or 0.0 for v in series.values]
        top = max(top, *y)
        plt.plot(x, y, color=colour, marker="braille")
    ticks = y_ticks(top)
    plt.ylim(0, ticks[-1])
    plt.yticks(ticks)
    plt.xticks(*date_ticks(chart.x_labels))


def draw_readiness(plt: Plot, chart: charts.ChartData) -> None:
    """Grouped bars: per phase, one bar per dimension (no interview: no bar)."""
    plt.multiple_bar(
        list(chart.x_labels),
        [[v or 0.0 for v in s.values] for s in chart.series],
        # One colour per group: plotext takes a list here (its stub says one colour).
        color=cast(Any, list(DIMENSION_COLOURS)),
    )
    plt.ylim(0, 100)
    plt.yticks([0.0, 25.0, 50.0, 75.0, 100.0])


DRAW = {"flow": draw_flow, "exposure": draw_exposure, "readiness": draw_readiness}


def build(kind: str, chart: charts.ChartData, width: int, height: int) -> Text:
    """The chart drawn by plotext at *width* x *height* cells."""
    plt = Plot()
    plt.plotsize(width, height)
    plt.theme(THEME)
    plt.title(chart.title)
    DRAW[kind](plt, chart)
    return Text.from_ansi(plt.build())


class ChartView(PlotextPlot):
    """A plotext plot whose figure is built in a thread worker, never in ``render``.

    PlotextPlot builds the figure on every render, on the UI thread; a filled flow chart
    takes 0.1-0.5 s there, so the picture is built off the UI thread (again on resize)
    and render only shows the last one.
    """

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.picture: Text = Text("")
        self.request: tuple[str, charts.ChartData] | None = None

    def show_chart(self, kind: str, chart: charts.ChartData) -> None:
        """Draw *chart* (of *kind*: flow, exposure, readiness) at the widget's size."""
        self.request = (kind, chart)
        self.rebuild()

    def on_resize(self, _event: events.Resize) -> None:
        self.rebuild()

    def rebuild(self) -> None:
        """Build the requested chart at the current size, off the UI thread."""
        if self.request is not None and self.size.width > 0 and self.size.height > 0:
            kind, chart = self.request
            self._build(kind, chart, self.size.width, self.size.height)

    @work(thread=True, exclusive=True, group="chart")
    def _build(self, kind: str, chart: charts.ChartData, width: int, height: int) -> None:
        picture = build(kind, chart, width, height)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._built, picture)

    def _built(self, picture: Text) -> None:
        self.picture = picture
        self.refresh()

    def render(self) -> RenderResult:
        return self.picture


class ChartsScreen(EcpmScreen):
    """One project's charts, one at a time; ``c`` shows the next, Esc goes back."""

    CSS_PATH = css_path("charts.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("c", "next_chart", "Next chart"),
        Binding("f", "show_chart('flow')", "Cumulative flow", show=False),
        Binding("x", "show_chart('exposure')", "Risk exposure trend", show=False),
        Binding("r", "show_chart('readiness')", "PPTF readiness", show=False),
        # Esc is slow under tmux and never the only way out.
        Binding("backspace", "back", "Back", show=False),
    ]

    def __init__(self, project_id: int, chart: str = "flow") -> None:
        super().__init__()
        self.project_id = project_id
        self.chart = chart
        self.data: charts.ProjectCharts | None = None

    def compose(self) -> ComposeResult:
        yield FitHeader()
        yield Static("Loading charts...", id="charts-title")
        yield Static("", id="charts-legend")
        yield ChartView(id="charts-plot")
        yield Static("", id="charts-note")
        yield FitFooter()

    def fetch(self) -> charts.ProjectCharts:
        return charts.collect(self.store, self.project_id)

    def show(self, data: charts.ProjectCharts) -> None:
        self.data = data
        self.draw()

    def current(self) -> charts.ChartData | None:
        """The chart on show, once the data is in."""
        if self.data is None:
            return None
        chart: charts.ChartData = getattr(self.data, self.chart)
        return chart

    def draw(self) -> None:
        """Draw the chart on show from the last data read."""
        chart = self.current()
        if chart is None or self.data is None:
            return
        names = [label for _key, label in CHARTS]
        index = [key for key, _label in CHARTS].index(self.chart)
        # Content, not markup: a project named "[/]" is shown as typed.
        self.query_one("#charts-title", Static).update(
            Content(
                f"{clean(self.data.project_key)} {clean(self.data.project_name, 40)}: "
                f"{names[index]} ({index + 1}/{len(CHARTS)}; c next, esc back)"
            )
        )
        colours = {"flow": PHASE_COLOURS, "exposure": LINE_COLOURS}
        self.query_one("#charts-legend", Static).update(
            legend(
                chart,
                colours.get(self.chart, DIMENSION_COLOURS),
                self.chart != "readiness",
                self.size.width,
            )
        )
        note = readiness_numbers(chart) if self.chart == "readiness" else chart.note
        self.query_one("#charts-note", Static).update(Content(note))
        self.query_one("#charts-plot", ChartView).show_chart(self.chart, chart)

    def on_resize(self, _event: events.Resize) -> None:
        self.draw()  # the legend picks full or short names for the width

    def action_next_chart(self) -> None:
        keys = [key for key, _label in CHARTS]
        self.chart = keys[(keys.index(self.chart) + 1) % len(keys)]
        self.draw()

    def action_show_chart(self, chart: str) -> None:
        self.chart = chart
        self.draw()

    def action_back(self) -> None:
        self.dismiss()
