"""Forged, stale and undecodable button data through the engine (fault matrix row 10)."""

import pytest

from bot.flows import verbs
from bot.flows.callbacks import BadCallback, CallbackCodec
from bot.flows.io import Answer, Kind
from tests import factories as f
from tests.flows.harness import Chat, Person

MALFORMED = {
    "non-ASCII signature": "ac:1~ÄÖÜ中文签名",
    "non-ASCII body": "受理:1~AAAAAAAA",
    "a lone surrogate": "ac:1~\udcff",
    "empty": "",
    "only the separator": "~",
    "no signature": "ac:1",
    "65 bytes": "a" * 56 + ":1~AAAAAA",
    "bad base64": "ac:1~!!!!****",
    "wrong signature": "ac:1~AAAAAAAA",
    "missing verb and ids": "~AAAAAAAA",
    "non-numeric id": "ac:x~AAAAAAAA",
}


@pytest.mark.parametrize("data", MALFORMED.values(), ids=MALFORMED.keys())
def test_the_codec_refuses_undecodable_data_as_a_bad_callback(data):
    with pytest.raises(BadCallback):
        CallbackCodec(b"k").decode(data)


@pytest.mark.parametrize("data", MALFORMED.values(), ids=MALFORMED.keys())
def test_an_undecodable_button_is_a_stale_button_and_changes_nothing(db, catalogue, data):
    w = f.build_world(db, catalogue)
    f.submit(w)
    chat, someone = Chat(db, catalogue), Person(9001, "路人")
    chat.command(someone, "start")
    before = f.snapshot(db)
    out = chat.send(someone, Kind.button, data=data)
    assert isinstance(out[-1], Answer) and out[-1].alert and "过期" in out[-1].text
    assert f.snapshot(db) == before


def test_a_correctly_signed_button_for_a_verb_that_does_not_exist_is_stale(db, catalogue):
    chat, someone = Chat(db, catalogue), Person(9002, "路人")
    out = chat.send(someone, Kind.button, data=chat.deps.codec.encode("nosuchverb", 1))
    assert isinstance(out[-1], Answer) and "过期" in out[-1].text


def test_a_button_signed_by_another_bot_is_refused(db, catalogue):
    w = f.build_world(db, catalogue)
    wish = f.submit(w)
    chat, someone = Chat(db, catalogue), Person(9003, "路人")
    forged = CallbackCodec(b"another-secret").encode(verbs.ACCEPT, wish.id)
    before = f.snapshot(db)
    out = chat.send(someone, Kind.button, data=forged)
    assert "过期" in out[-1].text and f.snapshot(db) == before
