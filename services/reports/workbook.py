"""XLSX workbooks for staff: frozen header rows, sensible widths, real date cells.

Times are stored in UTC; the workbook shows them in the deployment's zone, as Excel has no
time zones. Written in openpyxl's write-only mode, so a large export stays small in memory.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
WRAP = Alignment(wrap_text=True, vertical="top")
INVALID_TITLE = str.maketrans({c: "_" for c in "[]:*?/\\"})


@dataclass
class Sheet:
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    widths: list[int] = field(default_factory=list)  # characters; a missing or 0 one is guessed
    wrap: frozenset[int] = frozenset()  # columns of long text


def safe_title(title: str, taken: set[str]) -> str:
    """A sheet title Excel accepts: no []:*?/\\, at most 31 characters, unique."""
    base = title.translate(INVALID_TITLE)[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def _cell(ws, value, tz: ZoneInfo, wrap: bool):
    """A styled cell for dates and long text; other values go in as they are."""
    if isinstance(value, datetime):
        cell = WriteOnlyCell(ws, value=value.astimezone(tz).replace(tzinfo=None))
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT
    elif wrap and value:
        cell = WriteOnlyCell(ws, value=value)
        cell.alignment = WRAP
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
            cell = WriteOnlyCell(ws, value=text)
            cell.font, cell.fill = Font(bold=True), HEADER_FILL
            header.append(cell)
        ws.append(header)
        for row in sheet.rows:
            ws.append([_cell(ws, v, tz, i in sheet.wrap) for i, v in enumerate(row)])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
