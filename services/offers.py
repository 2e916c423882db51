"""The offer lifecycle: one transition table, one query for open offers, one function that closes them.

An offer (下单 to one member, or a posting on the wall) is born open when the wish moves to
`offered` or `posted`, and closes once. Closing is a conditional UPDATE on `status = 'open'`
that returns the rows it changed, so of two transactions closing one offer exactly one wins.
Every use case closes the offer before it moves the wish: concurrent transactions then lock
the offer's row before the wish's, always in that order.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, Update, bindparam, select, update
from sqlalchemy.orm import Session

from models import Offer, OfferKind, OfferStatus
from services.errors import Conflict, InvalidTransition

_O = OfferStatus
OFFER_TRANSITIONS: frozenset[tuple[OfferStatus, OfferStatus]] = frozenset(
    {
        (_O.open, _O.taken),  # 接单, or a claim from the wall (which records the claimant)
        (_O.open, _O.declined),  # 婉拒, with a reason
        (_O.open, _O.expired),  # unanswered too long, quiet hours not counted (the sweep)
        (_O.open, _O.withdrawn),  # staff withdraw, the resident cancels, or the member lost access
    }
)
FAILED = (_O.declined, _O.expired)  # what auto-dispatch and matching count against a member

_OFFER = Offer.__table__
_COLUMNS = (_OFFER.c.id, _OFFER.c.wish_id, _OFFER.c.kind, _OFFER.c.member_id, _OFFER.c.created_at)
# Each filter as a condition on a bound parameter of its own name, so statements are built once.
_FILTERS = {
    "offer_id": lambda: _OFFER.c.id == bindparam("f_offer_id"),
    "offer_ids": lambda: _OFFER.c.id.in_(bindparam("f_offer_ids", expanding=True)),
    "wish_id": lambda: _OFFER.c.wish_id == bindparam("f_wish_id"),
    "member_id": lambda: _OFFER.c.member_id == bindparam("f_member_id"),
    "kind": lambda: _OFFER.c.kind == bindparam("f_kind", type_=_OFFER.c.kind.type),
    "created_before": lambda: (
        _OFFER.c.created_at <= bindparam("f_created_before", type_=_OFFER.c.created_at.type)
    ),
}
_SELECTS: dict[tuple[str, ...], Select] = {}
_CLOSES: dict[tuple[tuple[str, ...], bool], Update] = {}


@dataclass(frozen=True)
class OfferRef:
    """An offer as the lifecycle reports it: open when queried, just closed when closing."""

    id: int
    wish_id: int
    kind: OfferKind
    member_id: int | None  # a wall posting: None while open, the claimant once taken
    created_at: datetime


def allowed(frm: OfferStatus, to: OfferStatus) -> bool:
    """Whether the table has this move at all."""
    return (frm, to) in OFFER_TRANSITIONS


def require_move(frm: OfferStatus, to: OfferStatus) -> None:
    """Refuse a move the table does not list, e.g. taken -> open."""
    if not allowed(frm, to):
        raise InvalidTransition("error.not_now", status=OfferStatus(frm).value)


def _where(filters: dict) -> tuple[tuple[str, ...], dict]:
    given = {name: value for name, value in filters.items() if value is not None}
    if not given:  # no filter would mean every open offer in the database
        raise ValueError("name the offers: by id, wish or member")
    return tuple(sorted(given)), {f"f_{name}": value for name, value in given.items()}


def _refs(rows) -> list[OfferRef]:
    return [OfferRef(r.id, r.wish_id, OfferKind(r.kind), r.member_id, r.created_at) for r in rows]


def open_offers(
    s: Session,
    *,
    wish_id: int | None = None,
    member_id: int | None = None,
    kind: OfferKind | None = None,
    created_before: datetime | None = None,
) -> list[OfferRef]:
    """The open offers that match every filter given, oldest first."""
    key, params = _where(
        {"wish_id": wish_id, "member_id": member_id, "kind": kind, "created_before": created_before}
    )
    stmt = _SELECTS.get(key)
    if stmt is None:
        conditions = [_FILTERS[name]() for name in key]
        stmt = _SELECTS[key] = (
            select(*_COLUMNS).where(_OFFER.c.status == _O.open, *conditions).order_by(_OFFER.c.id)
        )
    return _refs((s.execute(stmt, params)).all())


def open_offer(
    s: Session, *, wish_id: int, member_id: int | None = None, kind: OfferKind | None = None
) -> OfferRef | None:
    """The wish's open offer (to that member, of that kind), or None."""
    found = open_offers(s, wish_id=wish_id, member_id=member_id, kind=kind)
    return found[0] if found else None


def close_offers(
    s: Session,
    *,
    to: OfferStatus,
    now: datetime,
    offer_id: int | None = None,
    offer_ids: Sequence[int] | None = None,
    wish_id: int | None = None,
    member_id: int | None = None,
    kind: OfferKind | None = None,
    claimant_id: int | None = None,
    reason: str | None = None,
) -> list[OfferRef]:
    """Close the open offers that match every filter given; the ones this call closed.

    An offer that is no longer open is left alone and not returned, so a second close of the
    same offer changes nothing. `member_id` filters (a direct offer answered only by its
    member); `claimant_id` records who claimed a wall posting.
    """
    require_move(_O.open, to)
    if offer_ids is not None and not offer_ids:
        return []
    filters = {"offer_id": offer_id, "wish_id": wish_id, "member_id": member_id, "kind": kind}
    key, params = _where({**filters, "offer_ids": list(offer_ids) if offer_ids is not None else None})
    stmt = _CLOSES.get((key, claimant_id is not None))
    if stmt is None:
        values = {
            "status": bindparam("to", type_=_OFFER.c.status.type),
            "answered_at": bindparam("now", type_=_OFFER.c.answered_at.type),
            "decline_reason": bindparam("reason", type_=_OFFER.c.decline_reason.type),
        }
        if claimant_id is not None:
            values["member_id"] = bindparam("claimant", type_=_OFFER.c.member_id.type)
        conditions = [_FILTERS[name]() for name in key]
        stmt = (
            update(_OFFER).where(_OFFER.c.status == _O.open, *conditions).values(values).returning(*_COLUMNS)
        )
        _CLOSES[key, claimant_id is not None] = stmt
    params.update(to=to, now=now, reason=reason)
    if claimant_id is not None:
        params["claimant"] = claimant_id
    return sorted(_refs((s.execute(stmt, params)).all()), key=lambda o: o.id)


def close_offer(
    s: Session,
    *,
    offer_id: int,
    to: OfferStatus,
    now: datetime,
    member_id: int | None = None,
    reason: str | None = None,
) -> OfferRef:
    """Close one open offer, or Conflict if another transaction answered or closed it first."""
    closed = close_offers(s, to=to, now=now, offer_id=offer_id, member_id=member_id, reason=reason)
    if not closed:
        raise Conflict("error.already_taken" if to == _O.taken else "error.offer_gone")
    return closed[0]
