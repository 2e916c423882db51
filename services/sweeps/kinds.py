"""The kinds of reminder the sweep records in `SentReminder.kind`, one row per wish, kind and turn."""

from enum import StrEnum


class ReminderKind(StrEnum):
    triage = "triage"  # staff: a submitted wish nobody triaged
    triage_escalation = "triage_escalation"  # admins: still untriaged a day later
    wall = "wall"  # staff: a wall posting nobody claimed
    task = "task"  # the member: an assigned task overdue
    task_escalation = "task_escalation"  # staff: the member did not finish it after reminders
    rate = "rate"  # the resident: a completed wish still unrated
    auto_dispatch = "auto_dispatch"  # the sweep found no member to offer the wish to; it stops trying
