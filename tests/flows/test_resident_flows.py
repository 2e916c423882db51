"""A resident registers and posts a wish only by pressing buttons and typing answers."""

from sqlalchemy import func, select

from bot.flows.io import Answer, Kind, Message
from models import ConversationState, ProcessedUpdate, User, Wish
from services.branches import add_branch
from tests.flows.harness import Chat, Person, last_text, messages


def _branch(db):
    with db.write() as s:
        add_branch(s, code="A", name="幸福社区", grids=["一网格", "二网格"])


def test_a_new_resident_registers_then_posts_a_wish_with_buttons(db, catalogue):
    _branch(db)
    chat, grandma = Chat(db, catalogue), Person(501, "王秀英")
    chat.command(grandma, "start")
    chat.text(grandma, "📝 我要点单")
    assert "姓名" in last_text(grandma)
    chat.press(grandma, "王秀英")
    chat.send(grandma, Kind.contact, phone="+86 138 1234 1234", contact_user_id=501)
    chat.press(grandma, "一网格")
    for answer in ("幸福小区", "3栋"):
        chat.text(grandma, answer)
    chat.press(grandma, "没有单元")
    chat.text(grandma, "502")
    assert "幸福小区 3栋 502" in last_text(grandma)
    chat.press(grandma, "确认")
    assert "哪方面" in last_text(grandma)
    chat.press(grandma, "维修疏通")
    chat.text(grandma, "厨房水管漏水")
    chat.press(grandma, "周末")
    chat.press(grandma, "提交")
    assert "A-0001" in last_text(grandma)
    with db.read() as s:
        wish = s.scalar(select(Wish))
        forms = s.scalar(select(func.count()).select_from(ConversationState))
    assert (wish.text, wish.time_window, wish.status) == ("厨房水管漏水", "weekend", "submitted")
    assert forms == 0


def test_an_unexpected_message_in_a_form_repeats_the_question(db, catalogue):
    _branch(db)
    chat, user = Chat(db, catalogue), Person(502, "李")
    chat.text(user, "📝 我要点单")
    out = chat.send(user, Kind.location)
    texts = [m.text for m in messages(out)]
    assert "这一步需要您回答" in texts[0] and "姓名" in texts[1]


def test_cancel_leaves_the_form_and_submits_nothing(db, catalogue):
    _branch(db)
    chat, user = Chat(db, catalogue), Person(503, "李")
    chat.text(user, "📝 我要点单")
    chat.press(user, "取消")
    assert "已取消" in last_text(user)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(ConversationState)) == 0


def test_a_forged_button_is_refused_politely(db, catalogue):
    chat, user = Chat(db, catalogue), Person(504, "李")
    out = chat.send(user, Kind.button, data="wsubmit~AAAAAAAA")
    assert isinstance(out[-1], Answer) and out[-1].alert and "过期" in out[-1].text


def test_the_same_update_is_applied_once(db, catalogue):
    from bot.flows.io import Input

    chat, user = Chat(db, catalogue), Person(505, "李")
    inp = Input(user.who, Kind.command, command="start", update_id=999_999)
    assert chat.engine.handle(inp)
    assert chat.engine.handle(inp) == []
    assert isinstance(chat.command(user, "start")[0], Message)


def test_a_refused_update_is_recorded_so_its_redelivery_is_ignored(db, catalogue):
    from bot.flows.io import Input

    chat, user = Chat(db, catalogue), Person(507, "李")
    inp = Input(user.who, Kind.button, data="wsubmit~AAAAAAAA", update_id=999_998)
    [refusal] = chat.engine.handle(inp)
    assert isinstance(refusal, Answer) and refusal.alert
    assert chat.engine.handle(inp) == []
    with db.read() as s:
        assert s.scalar(select(func.count()).where(ProcessedUpdate.update_id == 999_998)) == 1
        assert s.scalar(select(func.count()).where(User.telegram_id == 507)) == 1


def test_typing_at_a_button_step_repeats_the_question_with_its_buttons(db, catalogue):
    _branch(db)
    chat, user = Chat(db, catalogue), Person(506, "李")
    chat.text(user, "📝 我要点单")
    chat.press(user, "李")
    chat.text(user, "13812341234")
    out = chat.text(user, "随便打几个字")  # the grid question wants a button
    texts = [m.text for m in messages(out)]
    assert "这一步需要您回答" in texts[0] and "网格" in texts[1]
    assert any("一网格" in b.text for row in messages(out)[1].buttons for b in row)


def test_an_old_button_from_an_earlier_form_does_not_skip_steps(db, catalogue):
    _branch(db)
    chat, user = Chat(db, catalogue), Person(507, "李")
    chat.text(user, "📝 我要点单")
    chat.press(user, "李")
    chat.text(user, "13812341234")
    chat.command(user, "cancel")
    chat.text(user, "📝 我要点单")  # a new form, at the name step
    out = chat.press(user, "一网格")  # a button left over from the first attempt
    assert isinstance(out[-1], Answer) and "过期" in out[-1].text
    assert "姓名" in [m.text for m in user.seen if isinstance(m, Message)][-1]


def test_a_form_missing_its_answers_is_closed_politely(db, catalogue):
    from services.conversations import save_state

    _branch(db)
    chat, user = Chat(db, catalogue), Person(508, "李")
    chat.command(user, "start")
    with db.write() as s:  # as if saved by an older version of the bot
        save_state(s, telegram_id=508, flow="reg", step="room", data={"branch_id": 1}, current=None)
    out = chat.text(user, "502")
    assert "过期" in messages(out)[0].text
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(ConversationState)) == 0
