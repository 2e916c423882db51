"""Every notification key, in one place: the outbox stores these, bot/notify.py adds buttons by them.

Each is rendered from the catalogue's `note.<key>` message (tests/test_translations.py checks).
A key's audience is its prefix, which also decides whether it waits out quiet hours.
"""

from enum import StrEnum


class NoteKey(StrEnum):
    # the resident, as their wish moves
    resident_accepted = "resident.accepted"
    resident_rejected = "resident.rejected"
    resident_assigned = "resident.assigned"
    resident_started = "resident.started"
    resident_completed = "resident.completed"
    resident_rearranging = "resident.rearranging"
    resident_closed = "resident.closed"
    resident_cancelled = "resident.cancelled"
    resident_remind_rating = "resident.remind_rating"
    # the member
    member_offer = "member.offer"
    member_offer_expired = "member.offer_expired"
    member_task_withdrawn = "member.task_withdrawn"
    member_redo = "member.redo"
    member_rated = "member.rated"
    member_disputed = "member.disputed"
    member_closed = "member.closed"
    member_cancelled = "member.cancelled"
    member_approved = "member.approved"
    member_registration_rejected = "member.registration_rejected"
    member_suspended = "member.suspended"
    member_reinstated = "member.reinstated"
    member_remind_task = "member.remind_task"
    # the branch's staff
    staff_new_wish = "staff.new_wish"
    staff_offer_declined = "staff.offer_declined"
    staff_offer_expired = "staff.offer_expired"
    staff_dropped_out = "staff.dropped_out"
    staff_disputed = "staff.disputed"
    staff_cancelled = "staff.cancelled"
    staff_member_registered = "staff.member_registered"
    staff_unreachable = "staff.unreachable"
    staff_low_rating = "staff.low_rating"
    staff_auto_dispatch_failed = "staff.auto_dispatch_failed"
    staff_remind_triage = "staff.remind_triage"
    staff_remind_wall = "staff.remind_wall"
    staff_escalate_task = "staff.escalate_task"
    staff_digest = "staff.digest"
    staff_broadcast_done = "staff.broadcast_done"
    staff_alerts_paused = "staff.alerts_paused"
    # a member's task back with staff (services/revocation.py), one per reason
    staff_returned = "staff.returned"
    staff_returned_suspended = "staff.returned_suspended"
    staff_returned_paused = "staff.returned_paused"
    staff_returned_moved = "staff.returned_moved"
    staff_returned_unreachable = "staff.returned_unreachable"
    staff_returned_forgotten = "staff.returned_forgotten"
    # admins
    admin_escalate_triage = "admin.escalate_triage"
    # everyone a broadcast reaches, from one branch or from all
    broadcast_message = "broadcast.message"
    broadcast_message_all = "broadcast.message_all"
