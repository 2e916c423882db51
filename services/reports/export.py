"""/export: a branch's wishes, member service ledger, ratings and rejections as a workbook.

Contact details follow the privacy rule (services.privacy) row by row: a resident's full name,
phone and address appear only for the staff of the wish's own branch. An admin who is not
staff of that branch gets the name and phone masked (张*, 138****1234), no address, and the
row's free text scrubbed of phone and house numbers; the same goes for member names.
"""

from collections.abc import Callable
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from services.actors import Actor, load_actor
from services.catalogue import Catalogue
from services.privacy import mask_name, sees_contacts
from services.reports.export_rows import wish_rows
from services.reports.ledger import ledger_rows, ratings_in
from services.reports.periods import Period
from services.reports.stats import require_scope
from services.scrubbing import scrub_contacts

Tr = Callable[[str], str]

WISH_COLUMNS = (
    "number",
    "branch",
    "status",
    "category",
    "grid",
    "priority",
    "time",
    "submitted",
    "triaged",
    "assigned",
    "completed",
    "closed",
    "resident",
    "phone",
    "address",
    "text",
    "member",
    "hours",
    "rating",
    "comment",
    "completion_note",
    "reason",
    "reason_note",
    "timeline",
)
LEDGER_COLUMNS = ("date", "member", "work_unit", "number", "category", "grid", "hours", "rating", "points")
RATING_COLUMNS = ("rated_at", "number", "category", "member", "rating", "comment")
REJECTION_COLUMNS = (
    "number",
    "submitted",
    "triaged",
    "category",
    "reason",
    "referral",
    "reason_note",
    "text",
)


def _shown(actor: Actor, branch_id: int, name: str | None, text: str | None) -> tuple:
    """A member's name and a free text of a ledger or ratings row, as the privacy rule allows."""
    if sees_contacts(actor, branch_id=branch_id):
        return name, text
    return (mask_name(name) if name else None), (scrub_contacts(text) if text else text)


def export_workbook(
    s: Session,
    *,
    actor_id: int,
    branch_id: int | None,
    period: Period,
    tz: ZoneInfo,
    catalogue: Catalogue,
    lang: str,
    tr: Tr,
) -> bytes:
    """The XLSX export of one branch (or of every branch, for admins) for the period."""
    # Here, not at the top: the workbook brings openpyxl, which `sandan run` loads on first use only.
    from services.reports.workbook import Sheet, build_workbook

    actor = load_actor(s, actor_id)
    require_scope(actor, branch_id)
    start, end = period.utc_bounds(tz)
    rows = wish_rows(
        s, actor, branch_id=branch_id, start=start, end=end, tz=tz, catalogue=catalogue, lang=lang, tr=tr
    )
    cat = {code: c.label.get(lang) for code, c in catalogue.categories.items()}
    ledger = []
    for r in ledger_rows(s, branch_id=branch_id, period=period, tz=tz):
        name, unit = _shown(actor, r.branch_id, r.name, r.work_unit)
        category = cat.get(r.category, r.category)
        ledger.append([r.completed_at, name, unit, r.number, category, r.grid, r.hours, r.score, r.points])
    ratings = []
    for r in ratings_in(s, branch_id=branch_id, start=start, end=end):
        name, comment = _shown(actor, r.branch_id, r.name, r.comment)
        ratings.append([r.rated_at, r.number, cat.get(r.category, r.category), name, r.score, comment])

    def sheet(key: str, columns: tuple[str, ...], rows: list, wrap: tuple[str, ...] = ()) -> Sheet:
        wrapped = frozenset(columns.index(c) for c in wrap)
        widths = [40 if c in wrap else 0 for c in columns]  # the others fit their headers
        headers = [tr(f"export.col.{c}") for c in columns]
        return Sheet(tr(f"export.sheet.{key}"), headers, rows, widths, wrapped)

    return build_workbook(
        [
            sheet("wishes", WISH_COLUMNS, rows.wishes, ("text", "completion_note", "timeline")),
            sheet("ledger", LEDGER_COLUMNS, ledger),
            sheet("ratings", RATING_COLUMNS, ratings, ("comment",)),
            sheet("rejections", REJECTION_COLUMNS, rows.rejections, ("text", "reason_note")),
        ],
        tz=tz,
    )
