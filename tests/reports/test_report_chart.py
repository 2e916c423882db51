"""The /stats chart: a real PNG, drawn with the pinned CJK font, whose labels have every glyph."""

from datetime import date

import pytest

from bot.flows.staff_reports import chart_labels
from bot.fonts import CJK_FAMILY, CJK_FONT, missing_glyphs
from bot.i18n import LANGUAGES, t
from services.reports.chart import chart_text, render_chart
from services.reports.figures import Week

PNG = b"\x89PNG\r\n\x1a\n"
WEEKS = [
    Week(date(2025, 3, 3), 4, 2, 1, 0.8),
    Week(date(2025, 3, 10), 0, 0, 0, None),
    Week(date(2025, 3, 17), 3, 1, 0, 1.0),
]


class _Ctx:
    """Enough of a flow context for chart_labels: translation in one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def t(self, key: str, **params) -> str:
        return t(self.lang, key, **params)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_cjk_font_has_every_glyph_the_chart_labels_use(lang):
    labels = chart_labels(
        _Ctx(lang), t(lang, "chart.title", branch="幸福社区", period="2025-03-01 – 2025-03-31")
    )
    assert "幸福社区" in chart_text(labels)
    assert missing_glyphs(chart_text(labels)) == set()


def test_the_font_check_would_catch_a_character_the_font_lacks():
    assert missing_glyphs("办结率\U0001f9ea") == {"\U0001f9ea"}


def test_the_chart_renders_to_a_png_in_the_pinned_font_without_missing_glyph_warnings(recwarn):
    labels = chart_labels(_Ctx("zh"), "幸福社区 每周心愿")
    png = render_chart(WEEKS, labels=labels, font_path=CJK_FONT, font_family=CJK_FAMILY)
    assert png.startswith(PNG) and len(png) > 10_000
    assert not [w for w in recwarn if "missing from" in str(w.message) or "Glyph" in str(w.message)]


def test_a_chart_of_an_empty_period_still_renders():
    png = render_chart(
        [Week(date(2025, 3, 3), 0, 0, 0, None)],
        labels=chart_labels(_Ctx("en"), "Nothing"),
        font_path=CJK_FONT,
        font_family=CJK_FAMILY,
    )
    assert png.startswith(PNG)


# Branch names are user text: matplotlib would read "$...$" as mathtext, and fail on bad mathtext.
MATH_LIKE = ["A$B$", "$\\frac{1}{2}$", "社区$^$", "a$_$b", "100$ 与 200$", "$$"]


@pytest.mark.parametrize("branch", MATH_LIKE)
def test_a_branch_name_with_dollar_signs_is_drawn_as_plain_text_in_the_chart(branch):
    from matplotlib.text import Text

    from services.reports.chart import chart_figure

    labels = chart_labels(_Ctx("zh"), t("zh", "chart.title", branch=branch, period="2025-03"))
    png = render_chart(WEEKS, labels=labels, font_path=CJK_FONT, font_family=CJK_FAMILY)
    assert png.startswith(PNG)
    fig = chart_figure(WEEKS, labels=labels, font_path=CJK_FONT, font_family=CJK_FAMILY)
    fig.canvas.draw()  # tick labels are made while drawing
    texts = [x for x in fig.findobj(Text) if "$" in x.get_text()]
    assert [x.get_text() for x in texts] == [labels.title]  # the title, exactly as typed
    assert all(not x.get_parse_math() for x in texts)


def test_every_label_of_the_chart_is_plain_text_too():
    from matplotlib.text import Text

    from services.reports.chart import ChartLabels, chart_figure

    labels = ChartLabels("$t$", "$c^$", "$i$", "$u_$", "$s$", "$w$")
    fig = chart_figure(WEEKS, labels=labels, font_path=CJK_FONT, font_family=CJK_FAMILY)
    fig.canvas.draw()
    shown = {x.get_text() for x in fig.findobj(Text) if "$" in x.get_text()}
    assert set(labels.__dict__.values()) <= shown
    assert all(not x.get_parse_math() for x in fig.findobj(Text) if "$" in x.get_text())
