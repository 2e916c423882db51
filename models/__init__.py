"""SQLModel tables and enums. Imports no bot framework."""

from models.branches import Branch, Grid
from models.enums import (
    Availability,
    MemberStatus,
    OfferKind,
    OfferStatus,
    OutboxStatus,
    Priority,
    TimeWindow,
    WishStatus,
)
from models.infra import ConversationState, Outbox, ProcessedUpdate, SentReminder
from models.people import MemberProfile, ResidentProfile, Staff, User
from models.wishes import Offer, Rating, Wish, WishEvent

__all__ = [
    "Availability",
    "Branch",
    "ConversationState",
    "Grid",
    "MemberProfile",
    "MemberStatus",
    "Offer",
    "OfferKind",
    "OfferStatus",
    "Outbox",
    "OutboxStatus",
    "Priority",
    "ProcessedUpdate",
    "Rating",
    "ResidentProfile",
    "SentReminder",
    "Staff",
    "TimeWindow",
    "User",
    "Wish",
    "WishEvent",
    "WishStatus",
]
