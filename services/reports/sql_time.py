"""SQL over time columns that SQLite and PostgreSQL answer alike: exact spans, and buckets.

Each gives what Python gives for the same stored values, to the microsecond, so the figures
the database computes equal the ones computed from rows (tests/reports/test_report_sql.py).
"""

from datetime import datetime

from sqlalchemy import BigInteger, ColumnElement, Integer, case, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

# How SQLAlchemy stores a datetime in SQLite: 'YYYY-MM-DD HH:MM:SS.ffffff', naive UTC here.
_SQLITE_SECONDS = 19  # characters up to the whole seconds
_SQLITE_FRACTION = 21  # where the microseconds start (1-based)
SECOND_US = 1_000_000
DAY_S = 86_400
HOUR_S = 3600


class span_us(FunctionElement):
    """(end - start) in whole microseconds, exactly: what `(end - start) // timedelta(microseconds=1)`
    gives in Python."""

    type = BigInteger()
    name = "span_us"
    inherit_cache = True


@compiles(span_us, "sqlite")
def _sqlite_span(element, compiler, **kw) -> str:
    # julianday() keeps milliseconds only, so it reads the whole seconds alone (exact, rounded
    # to an integer after the subtraction), and the microseconds are added from the text.
    start, end = (compiler.process(c, **kw) for c in element.clauses)

    def seconds(x: str) -> str:
        return f"julianday(substr({x}, 1, {_SQLITE_SECONDS}))"

    def micro(x: str) -> str:
        return f"substr({x}, {_SQLITE_FRACTION})"

    whole = f"round(({seconds(end)} - {seconds(start)}) * {DAY_S})"
    return f"CAST({whole} * {SECOND_US} + {micro(end)} - {micro(start)} AS INTEGER)"


@compiles(span_us, "postgresql")
def _postgresql_span(element, compiler, **kw) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({end} - {start})) * {SECOND_US} AS BIGINT)"


def hours(us: int) -> float:
    """Microseconds as hours, as `timedelta.total_seconds() / 3600` computes them."""
    return us / SECOND_US / HOUR_S


def bucket(column: ColumnElement, bounds: list[datetime]) -> ColumnElement[int]:
    """How many of the sorted `bounds` are at or before `column`: 0 before the first, and so on.

    A balanced tree of CASEs, so each row is compared about log2(len(bounds)) times; the
    indexes are inline literals, the bounds bound parameters of the column's type.
    """

    def tree(low: int, high: int) -> ColumnElement[int]:
        if low == high:
            return literal_column(str(low), Integer)
        middle = (low + high + 1) // 2  # column < bounds[middle - 1] means an index below middle
        return case((column < bounds[middle - 1], tree(low, middle - 1)), else_=tree(middle, high))

    return tree(0, len(bounds))
