"""A member who blocked the bot (403) is never left holding an offer (fault matrix row 4)."""

from sqlalchemy import select, update

from bot.flows import verbs
from bot.flows.callbacks import CallbackCodec
from bot.notify import render_notification
from models import Offer, OfferStatus, Outbox, User, Wish
from models import WishStatus as S
from services.errors import InvalidInput
from services.transport import Unreachable
from tests.factories import accepted, new_outbox, offered, snapshot, try_use_case
from tests.test_delivery import Clock, Recorder, quiet_world, sender

CODEC = CallbackCodec(b"test-secret")


def pending_rows(db) -> list[tuple[int, str]]:
    with db.read() as s:
        rows = s.execute(select(Outbox.user_id, Outbox.key).where(Outbox.status == "pending"))
        return [tuple(r) for r in rows.all()]


async def test_an_offer_to_a_member_who_blocked_the_bot_closes_at_once_and_the_wish_is_back_with_staff(
    db, catalogue
):
    w = quiet_world(db, catalogue)
    wish, offer = offered(w, 0)
    with db.write() as s:  # only the offer itself is still to be sent
        s.execute(update(Outbox).where(Outbox.key != "member.offer").values(status="sent"))
    assert pending_rows(db) == [(w.members[0], "member.offer")]
    transport = Recorder()
    transport.fail_with = [Unreachable("Forbidden: bot was blocked by the user")]

    await sender(db, transport, Clock()).run_once()

    with db.read() as s:
        stored, closed = s.get(Wish, wish.id), s.get(Offer, offer.id)
        member = s.get(User, w.members[0])
        alert = s.scalar(select(Outbox).where(Outbox.status == "pending"))
    assert member.unreachable
    assert (stored.status, closed.status) == (S.accepted, OfferStatus.withdrawn)
    # one message to staff, not a "please phone" as well, and it carries the dispatch button
    assert pending_rows(db) == [(w.staff_id, "staff.returned_unreachable")]
    shown = render_notification(
        "zh", catalogue, CODEC, key=alert.key, params=alert.params, wish_id=alert.wish_id
    )
    assert wish.number in shown.text and "屏蔽" in shown.text
    assert [CODEC.decode(b.data).verb for row in shown.buttons for b in row] == [verbs.DISPATCH]
    # ready to dispatch again, to someone else
    again = try_use_case(db, "offer", w.staff_id, wish.id, catalogue, member_id=w.members[1])
    assert again.member_id == w.members[1]


async def test_a_block_found_on_another_message_also_closes_the_members_open_offers(db, catalogue):
    w = quiet_world(db, catalogue)
    wish, offer = offered(w, 0)
    with db.write() as s:  # the offer was delivered; a later note finds the block
        s.execute(update(Outbox).values(status="sent"))
        s.add(Outbox(user_id=w.members[0], key="member.approved", params={}))
    transport = Recorder()
    transport.fail_with = [Unreachable("Forbidden: bot was blocked by the user")]

    await sender(db, transport, Clock()).run_once()

    with db.read() as s:
        assert s.get(Wish, wish.id).status == S.accepted
        assert s.get(Offer, offer.id).status == OfferStatus.withdrawn
    assert pending_rows(db) == [(w.staff_id, "staff.returned_unreachable")]


async def test_a_resident_who_blocked_the_bot_still_gets_staff_told_to_phone(db, catalogue):
    w = quiet_world(db, catalogue)
    wish = accepted(w)
    with db.write() as s:
        s.execute(update(Outbox).values(status="sent"))
        s.add(Outbox(user_id=w.resident_id, key="resident.accepted", params={}, wish_id=wish.id))
    transport = Recorder()
    transport.fail_with = [Unreachable("Forbidden: bot was blocked by the user")]
    await sender(db, transport, Clock()).run_once()
    assert pending_rows(db) == [(w.staff_id, "staff.unreachable")]


def test_staff_cannot_dispatch_to_a_member_who_blocked_the_bot(db, catalogue):
    w = quiet_world(db, catalogue)
    wish = accepted(w)
    with db.write() as s:
        s.execute(update(User).where(User.id == w.members[0]).values(unreachable=True))
    before = snapshot(db)

    refused = try_use_case(db, "offer", w.staff_id, wish.id, catalogue, member_id=w.members[0])

    assert isinstance(refused, InvalidInput) and refused.key == "invalid.member_unreachable"
    assert snapshot(db) == before
    offer = try_use_case(db, "offer", w.staff_id, wish.id, catalogue, member_id=w.members[1])
    assert offer.member_id == w.members[1]
    assert (w.members[1], "member.offer") in new_outbox(db)
