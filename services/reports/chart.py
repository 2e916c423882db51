"""The /stats chart: wishes per week by status (stacked bars) and the satisfaction line.

matplotlib's object API on the Agg canvas: no pyplot state, safe beside an event loop. The
caller passes the CJK font (bot.fonts pins it) and every label, already translated.
"""

from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from services.reports.figures import Week

GREEN, BLUE, GREY, RED = "#3a9d5d", "#4a7fc1", "#b8b8b8", "#be1622"


@dataclass(frozen=True)
class ChartLabels:
    title: str
    completed: str
    in_hand: str
    unserved: str
    satisfaction: str
    wishes: str  # the left axis


@cache
def _register(font_path: Path) -> None:
    font_manager.fontManager.addfont(str(font_path))


def render_chart(weeks: list[Week], *, labels: ChartLabels, font_path: Path, font_family: str) -> bytes:
    """PNG bytes of the weekly chart."""
    _register(font_path)
    fig = Figure(figsize=(9, 4.8), dpi=110)
    FigureCanvasAgg(fig)
    font = {"family": font_family}
    ax = fig.add_subplot()
    x = range(len(weeks))
    done = [w.completed for w in weeks]
    hand = [w.in_hand for w in weeks]
    unserved = [w.unserved for w in weeks]
    ax.bar(x, done, color=GREEN, label=labels.completed)
    ax.bar(x, hand, bottom=done, color=BLUE, label=labels.in_hand)
    ax.bar(
        x,
        unserved,
        bottom=[a + b for a, b in zip(done, hand, strict=True)],
        color=GREY,
        label=labels.unserved,
    )
    ax.set_ylabel(labels.wishes, fontdict=font)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    step = max(1, len(weeks) // 12)
    ax.set_xticks(list(x)[::step], [w.start.strftime("%m-%d") for w in weeks][::step])
    line = ax.twinx()
    points = [(i, w.satisfaction) for i, w in enumerate(weeks) if w.satisfaction is not None]
    line.plot(
        [i for i, _ in points], [v for _, v in points], color=RED, marker="o", label=labels.satisfaction
    )
    line.set_ylim(0, 1.05)
    line.yaxis.set_major_formatter(PercentFormatter(1.0))
    line.set_ylabel(labels.satisfaction, fontdict=font)
    handles = ax.get_legend_handles_labels()[0] + line.get_legend_handles_labels()[0]
    ax.legend(
        handles=handles,
        prop={**font, "size": 9},
        loc="upper center",
        bbox_to_anchor=(0.5, -0.08),
        ncol=4,
        frameon=False,
    )
    ax.set_title(labels.title, fontdict={**font, "fontsize": 13})
    fig.tight_layout()
    out = BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def chart_text(labels: ChartLabels) -> str:
    """All the text the chart draws besides digits, to check the font has every glyph."""
    return "".join(labels.__dict__.values())
