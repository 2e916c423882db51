"""The text of the staff view of one wish (/wish NUMBER), as services.reads.wish_details gives it.

Staff of the wish's branch get the resident's and the member's contact in full; an admin who
is not staff there gets them masked, no address and the free text scrubbed, as in /export.
"""

from bot.flows.context import Ctx
from bot.flows.staff_common import cat_label, extras, staff_status
from bot.texts import display_phone, time_label
from services.reads.wish_details import WishDetails


def details(ctx: Ctx, d: WishDetails) -> str:
    """The wish, its people and its timeline, already masked where the actor may not see them."""
    wish = d.wish
    date = wish.preferred_date.isoformat() if wish.preferred_date else None
    parts = [
        ctx.t(
            "staffwish.details",
            number=wish.number,
            priority=ctx.t(f"priority.{wish.priority}"),
            category=cat_label(ctx, wish.category),
            status=staff_status(ctx, wish.status),
            at=ctx.local(wish.submitted_at),
            time=time_label(ctx.lang, wish.time_window, date),
            text=d.text,
            extras=extras(ctx, wish),
        )
    ]
    contact = d.resident
    phone = display_phone(contact.phone) if contact.full else contact.phone
    key = "staffwish.resident" if contact.full else "staffwish.resident_masked"
    parts.append(ctx.t(key, name=contact.name, phone=phone, address=contact.address))
    if d.resident_unreachable:
        parts.append(ctx.t("staffwish.unreachable"))
    if d.member:
        key = "staffwish.member" if d.assigned else "staffwish.offered_to"
        phone = display_phone(d.member.phone) if d.full else d.member.phone
        parts.append(ctx.t(key, name=d.member.name, phone=phone))
        if d.member.unreachable:
            parts.append(ctx.t("staffwish.unreachable"))
    if wish.rejection_reason:
        reason = ctx.deps.catalogue.rejections.get(wish.rejection_reason)
        label = reason.label.get(ctx.lang) if reason else wish.rejection_reason
        parts.append(ctx.t("staffwish.rejection", reason=label))
    if wish.completion_note:
        hours = f"{wish.hours_spent or 0:g}"
        parts.append(ctx.t("staffwish.completion", note=d.completion_note, hours=hours))
    parts.append(ctx.t("staffwish.timeline"))
    for e in d.events:
        note = ctx.t("staffwish.event_note", note=e.note) if e.note else ""
        parts.append(
            ctx.t(
                "staffwish.event",
                at=ctx.local(e.at),
                status=staff_status(ctx, e.to_status),
                actor=e.actor or ctx.t("label.system"),
                note=note,
            )
        )
    return "".join(parts)
