"""The text of the staff view of one wish (/wish NUMBER), as the privacy rule lets the actor see it.

Staff of the wish's branch get the resident's and the member's contact in full; an admin who
is not staff there gets them masked, no address and the free text scrubbed, as in /export.
"""

from bot.flows.context import Ctx
from bot.flows.staff_common import cat_label, extras, staff_status
from bot.texts import display_phone, time_label
from models import User, Wish
from services import queries
from services.privacy import mask_name, mask_phone, may_see_contact, reveal_contact, shown_text


async def details(ctx: Ctx, wish: Wish) -> str:
    """The wish as services.privacy lets this actor see it: an admin who is not staff of the
    branch gets names and phones masked, no address and the free text scrubbed, as in /export."""
    full = may_see_contact(ctx.actor, wish)

    def text(value: str | None) -> str | None:
        return shown_text(ctx.actor, wish, value)

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
            text=text(wish.text),
            extras=extras(ctx, wish),
        )
    ]
    contact = await reveal_contact(ctx.s, actor_id=ctx.user.id, wish_id=wish.id)
    phone = display_phone(contact.phone) if contact.full else contact.phone
    key = "staffwish.resident" if contact.full else "staffwish.resident_masked"
    parts.append(ctx.t(key, name=contact.name, phone=phone, address=contact.address))
    if (await ctx.s.get(User, wish.resident_id)).unreachable:
        parts.append(ctx.t("staffwish.unreachable"))
    member_id = wish.assigned_member_id or await queries.offered_to(
        ctx.s, actor_id=ctx.user.id, wish_id=wish.id
    )
    if member_id:
        member = await ctx.s.get(User, member_id)
        key = "staffwish.member" if wish.assigned_member_id else "staffwish.offered_to"
        name, phone = member.name or member.display_name, member.phone or ""
        if not full:  # the member's contact follows the same rule as the resident's
            name, phone = mask_name(name), mask_phone(phone) if phone else ""
        parts.append(ctx.t(key, name=name, phone=display_phone(phone) if full else phone))
        if member.unreachable:
            parts.append(ctx.t("staffwish.unreachable"))
    if wish.rejection_reason:
        reason = ctx.deps.catalogue.rejections.get(wish.rejection_reason)
        label = reason.label.get(ctx.lang) if reason else wish.rejection_reason
        parts.append(ctx.t("staffwish.rejection", reason=label))
    if wish.completion_note:
        hours = f"{wish.hours_spent or 0:g}"
        parts.append(ctx.t("staffwish.completion", note=text(wish.completion_note), hours=hours))
    parts.append(ctx.t("staffwish.timeline"))
    for e in await queries.timeline(ctx.s, actor_id=ctx.user.id, wish_id=wish.id):
        note = ctx.t("staffwish.event_note", note=text(e.note)) if e.note else ""
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
