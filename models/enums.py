"""Enumerations shared by the models and the services."""

from enum import StrEnum


class WishStatus(StrEnum):
    submitted = "submitted"
    accepted = "accepted"
    rejected = "rejected"
    offered = "offered"
    posted = "posted"
    assigned = "assigned"
    in_progress = "in_progress"
    completed = "completed"
    confirmed = "confirmed"
    disputed = "disputed"
    closed = "closed"
    cancelled = "cancelled"


# A wish in one of these still needs someone's attention.
OPEN_STATUSES = frozenset(
    {
        WishStatus.submitted,
        WishStatus.accepted,
        WishStatus.offered,
        WishStatus.posted,
        WishStatus.assigned,
        WishStatus.in_progress,
        WishStatus.completed,
        WishStatus.disputed,
    }
)


class MemberStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    suspended = "suspended"
    paused = "paused"


class OfferKind(StrEnum):
    direct = "direct"  # 下单 to one member
    wall = "wall"  # 心愿墙, any eligible member may claim


class OfferStatus(StrEnum):
    open = "open"
    taken = "taken"
    declined = "declined"
    expired = "expired"
    withdrawn = "withdrawn"


class Priority(StrEnum):
    low = "low"
    normal = "normal"
    urgent = "urgent"


class TimeWindow(StrEnum):
    asap = "asap"  # 尽快
    this_week = "this_week"  # 本周内
    weekend = "weekend"  # 周末
    on_date = "on_date"  # a chosen date


class Availability(StrEnum):
    weekday_day = "weekday_day"
    weekday_evening = "weekday_evening"
    weekend = "weekend"


class OutboxStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"


class InboxStatus(StrEnum):
    pending = "pending"  # stored, waiting for a worker
    working = "working"  # a worker holds it (until its lease lapses)
    done = "done"  # handled; only the id is kept, to ignore a repeated delivery
    dropped = "dropped"  # its sender's backlog was full: recorded, never handled
    failed = "failed"  # handling it kept killing its worker: given up


class FollowUpReason(StrEnum):
    low_rating = "low_rating"  # rated 1 or 2
    dispute = "dispute"


class Audience(StrEnum):
    members = "members"
    residents = "residents"
    both = "both"
