"""Batched SQLAlchemy Core writes, and moving PostgreSQL sequences past the seeded ids."""

from collections.abc import Iterable

from sqlalchemy import bindparam, insert, text, update
from sqlalchemy.orm import Session

from models import Branch, MemberProfile
from sandan.seed.members import Volunteer

BATCH = 5_000  # rows per executemany


def batches(rows: list, size: int = BATCH):
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def insert_rows(s: Session, model: type, rows: list[dict]) -> None:
    for batch in batches(rows):
        s.execute(insert(model.__table__), batch)


def write_member_totals(s: Session, volunteers: list[Volunteer]) -> None:
    """Tasks, hours and ratings of every member who has a confirmed job."""
    table = MemberProfile.__table__
    totals = [
        {
            "pid": v.profile_id,
            "tc": v.tasks,
            "ht": round(v.hours, 1),
            "rs": v.rating_sum,
            "rc": v.rating_count,
        }
        for v in volunteers
        if v.tasks
    ]
    stmt = (
        update(table)
        .where(table.c.id == bindparam("pid"))
        .values(
            tasks_confirmed=bindparam("tc"),
            hours_total=bindparam("ht"),
            rating_sum=bindparam("rs"),
            rating_count=bindparam("rc"),
        )
    )
    for batch in batches(totals):
        s.execute(stmt, batch)


def write_wish_seq(s: Session, branch_ids: list[int], last_numbers: list[int]) -> None:
    table = Branch.__table__
    s.execute(
        update(table).where(table.c.id == bindparam("bid")).values(wish_seq=bindparam("seq")),
        [{"bid": bid, "seq": n} for bid, n in zip(branch_ids, last_numbers, strict=True)],
    )


def reset_sequences(s: Session, models: Iterable[type]) -> None:
    """On PostgreSQL, let the next plain insert continue after the explicit ids."""
    quote = s.bind.dialect.identifier_preparer.quote
    for model in models:
        name = quote(model.__tablename__)
        s.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"
            )
        )
