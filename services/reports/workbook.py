"""XLSX workbooks for staff: frozen header rows, sensible widths, real date cells.

Times are stored in UTC; the workbook shows them in the deployment's zone, as Excel has no
time zones. Written in openpyxl's write-only mode, so a large export stays small in memory.

Every string goes in through `text_cell`, so user text is never a formula: openpyxl would turn
any str starting with "=" into one, and a spreadsheet could evaluate "+", "-" or "@" once the
cell is edited. A string cell (inlineStr) is never evaluated; quotePrefix keeps it text when
someone edits it in Excel, WPS or LibreOffice.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
WRAP = Alignment(wrap_text=True, vertical="top")
INVALID_TITLE = str.maketrans({c: "_" for c in "[]:*?/\\"})
# Leading characters that make a spreadsheet read a cell as a formula (OWASP's CSV injection list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TEXT = "s"  # openpyxl's data type of a string cell, written as inlineStr
# OOXML's own escape (_xHHHH_), as Excel writes it: XML readers turn a raw CR into LF, and a
# literal "_x0041_" in user text would otherwise be shown as "A".
_OOXML_ESCAPES = re.compile(r"\r|_(?=x[0-9A-Fa-f]{4}_)")


@dataclass
class Sheet:
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    widths: list[int] = field(default_factory=list)  # characters; a missing or 0 one is guessed
    wrap: frozenset[int] = frozenset()  # columns of long text


def safe_title(title: str, taken: set[str]) -> str:
    """A sheet title Excel accepts: no []:*?/\\, no control characters, no quote at either end,
    at most 31 characters, unique."""
    base = ILLEGAL_CHARACTERS_RE.sub("", title.translate(INVALID_TITLE)).strip("'")[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def _ooxml_escape(match: re.Match) -> str:
    return f"_x{ord(match[0]):04X}_"


def text_cell(ws, value: str) -> WriteOnlyCell:
    """`value` as a string cell that no spreadsheet evaluates, whatever it starts with.

    Characters XML cannot hold (control characters other than tab, LF and CR) are dropped
    rather than failing the whole workbook; a CR is written as OOXML's _x000D_.
    """
    text = _OOXML_ESCAPES.sub(_ooxml_escape, ILLEGAL_CHARACTERS_RE.sub("", value))
    cell = WriteOnlyCell(ws, value=text)  # openpyxl also cuts it to Excel's 32,767 characters
    cell.data_type = TEXT  # undo openpyxl's guess: "=..." a formula, "#N/A" an error
    if value.startswith(FORMULA_START):
        cell.quotePrefix = True  # stays text when edited, as if typed with a leading '
    return cell


def _cell(ws, value, tz: ZoneInfo, wrap: bool):
    """A styled cell for strings, dates and long text; numbers and None go in as they are."""
    if isinstance(value, str):
        cell = text_cell(ws, value)
        if wrap and value:
            cell.alignment = WRAP
    elif isinstance(value, datetime):
        cell = WriteOnlyCell(ws, value=value.astimezone(tz).replace(tzinfo=None))
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT
    else:
        return value
    return cell


def _width(header: str) -> int:
    """Room for the header: CJK characters take two columns."""
    wide = sum(2 if ord(ch) > 0x2E80 else 1 for ch in header)
    return max(10, min(wide + 4, 60))


def build_workbook(sheets: list[Sheet], *, tz: ZoneInfo) -> bytes:
    """XLSX bytes with one worksheet per Sheet."""
    book = Workbook(write_only=True)
    taken: set[str] = set()
    for sheet in sheets:
        ws = book.create_sheet(safe_title(sheet.title, taken))
        ws.freeze_panes = "A2"
        for i, header in enumerate(sheet.headers):
            width = sheet.widths[i] if i < len(sheet.widths) else 0
            ws.column_dimensions[get_column_letter(i + 1)].width = width or _width(header)
        header = []
        for text in sheet.headers:
            cell = text_cell(ws, text)
            cell.font, cell.fill = Font(bold=True), HEADER_FILL
            header.append(cell)
        ws.append(header)
        for row in sheet.rows:
            ws.append([_cell(ws, v, tz, i in sheet.wrap) for i, v in enumerate(row)])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
