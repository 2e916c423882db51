"""SQLModel tables and enums. Imports no bot framework."""

from models.branches import Branch, Grid
from models.broadcasts import Broadcast, GroupPost
from models.enums import (
    Audience,
    Availability,
    FollowUpReason,
    InboxStatus,
    MemberStatus,
    OfferKind,
    OfferStatus,
    OutboxStatus,
    Priority,
    TimeWindow,
    WishStatus,
)
from models.followups import FollowUp
from models.infra import BranchDigest, ConversationState, InboxUpdate, Outbox, ProcessedUpdate, SentReminder
from models.people import MemberProfile, ResidentProfile, Staff, User
from models.wishes import Offer, Rating, Wish, WishEvent

__all__ = [
    "Audience",
    "Availability",
    "Branch",
    "BranchDigest",
    "Broadcast",
    "ConversationState",
    "FollowUp",
    "FollowUpReason",
    "Grid",
    "GroupPost",
    "InboxStatus",
    "InboxUpdate",
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
