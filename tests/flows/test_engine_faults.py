"""Only a missing saved answer counts as an expired form; any other KeyError is a bug, and said so."""

import logging

from sqlalchemy import func, select

from bot.flows.io import Answer
from models import ConversationState, Offer, OfferStatus
from services import dispatch
from services.conversations import save_state
from tests.factories import snapshot
from tests.flows.harness import last_text
from tests.flows.test_member_flows import build_town, new_wish, offer, offer_note, wish_row


def test_a_step_reading_an_answer_that_was_never_saved_closes_the_form_as_expired(db, catalogue):
    town = build_town(db, catalogue)
    wish_id = new_wish(town)
    offer(town, wish_id)
    li = town.members[0]
    offer_note(town, li, wish_id)
    town.chat.press(li, "婉拒")
    with db.write() as s:  # the reason step's form, as if saved without the wish it is about
        state = s.get(ConversationState, li.telegram_id)
        save_state(s, telegram_id=li.telegram_id, flow=state.flow, step=state.step, data={}, current=state)
    town.chat.press(li, "时间冲突")
    assert "这张表已经过期了" in last_text(li)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(ConversationState)) == 0
        assert s.scalar(select(Offer.status)) == OfferStatus.open


def test_a_key_error_inside_a_service_is_a_logged_bug_that_changes_nothing(
    db, catalogue, monkeypatch, caplog
):
    town = build_town(db, catalogue)
    wish_id = new_wish(town)
    offer(town, wish_id)
    li = town.members[0]
    offer_note(town, li, wish_id)
    real_take = dispatch.take_offer

    def buggy_take(s, **kwargs):
        real_take(s, **kwargs)  # the wish is assigned, then the bug strikes
        raise KeyError("member_id")

    monkeypatch.setattr(dispatch, "take_offer", buggy_take)
    before = snapshot(db)
    with caplog.at_level(logging.WARNING, logger="bot.flows.engine"):
        out = town.chat.press(li, "接单")
    assert isinstance(out[-1], Answer) and out[-1].alert and out[-1].text == "出了点问题，请稍后再试。"
    assert not any("过期" in (getattr(o, "text", "") or "") for o in out)
    [record] = [r for r in caplog.records if r.name == "bot.flows.engine"]
    assert record.levelno == logging.ERROR and record.exc_info and record.exc_info[0] is KeyError
    assert snapshot(db) == before
    assert wish_row(db, wish_id).status == "offered"
