"""A bot may post about 20 messages a minute to one group: counted in the database, for every process."""

from datetime import UTC, datetime, timedelta

from services import group_posts

T0 = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
GROUP, OTHER = -1001, -1002


def test_the_twenty_first_post_in_a_minute_is_refused_and_a_minute_later_allowed(db):
    with db.write() as s:
        taken = [group_posts.reserve(s, chat_id=GROUP, now=T0 + timedelta(seconds=i)) for i in range(21)]
        other = group_posts.reserve(s, chat_id=OTHER, now=T0 + timedelta(seconds=20))
        later = group_posts.reserve(s, chat_id=GROUP, now=T0 + timedelta(seconds=61))
    assert taken == [True] * 20 + [False]
    assert other  # each group has its own minute
    assert later  # the first post of the minute has left the window


def test_the_daily_clean_up_forgets_posts_older_than_a_day(db):
    with db.write() as s:
        group_posts.reserve(s, chat_id=GROUP, now=T0)
        group_posts.reserve(s, chat_id=GROUP, now=T0 + timedelta(days=1, hours=1))
        assert group_posts.forget_old(s, now=T0 + timedelta(days=1, hours=2)) == 1
