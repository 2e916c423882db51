"""One wish's rows: the wish itself, its offers, its audit events and its rating.

The moves come from `timeline`; here they become rows that agree with each other,
and the member who did the job gets the confirmed wish's hours and rating.
"""

import random
from datetime import date, timedelta

from models import Offer, OfferKind, OfferStatus, Priority, Rating, TimeWindow, WishEvent
from models import WishStatus as S
from sandan.seed.draw import DAY, LOCAL_OFFSET, as_datetime, cumulative, pick, telegram_file_id
from sandan.seed.ids import Ids
from sandan.seed.members import MemberPicker
from sandan.seed.texts import COMPLETION_NOTES, RATING_COMMENTS, WISH_TEXTS
from sandan.seed.timeline import Step

PHOTO, VOICE = "AgACAgUAAxk", "AwACAgUAAxk"
HOURS = {"tutoring": (1.5, 2, 2, 3), "eldercare": (2, 3, 4), "medical_escort": (2, 3, 4, 5)}
DEFAULT_HOURS = (0.5, 1, 1, 1, 1.5, 2, 2, 3)
WINDOWS = list(TimeWindow)
WINDOW_CUM = cumulative([50, 25, 15, 10])
PRIORITIES = [Priority.normal, Priority.low, Priority.urgent]
PRIORITY_CUM = cumulative([80, 12, 8])
SCORES = (5, 4, 3, 2, 1)
SCORE_CUM = cumulative([72, 20, 5, 2, 1])


def wish_rows(
    rng: random.Random,
    ids: Ids,
    picker: MemberPicker,
    wish: dict,
    b: int,
    staff: int,
    steps: list[Step],
    open_: bool,
) -> tuple[list[dict], list[dict], dict | None]:
    """Fill in `wish` (already holding its id, branch, resident and status) along `steps`.

    Returns its offers, events and rating; `staff` is the staff member who handles it.
    """
    submitted = steps[0][2]
    category = wish["category"]
    voice = rng.random() < 0.02
    window = pick(rng, WINDOWS, WINDOW_CUM)
    preferred = None
    if window == TimeWindow.on_date:
        local_day = date(1970, 1, 1) + timedelta(days=int((submitted + LOCAL_OFFSET) // DAY))
        preferred = local_day + timedelta(days=rng.randint(1, 10))
    wish.update(
        text="🎤" if voice else rng.choice(WISH_TEXTS.get(category, WISH_TEXTS["other"])),
        photo_file_ids=[telegram_file_id(rng, PHOTO)] if rng.random() < 0.1 else [],
        voice_file_id=telegram_file_id(rng, VOICE) if voice else None,
        time_window=window.value,
        preferred_date=preferred,
    )
    # Who does what: the member offered or assigned the job, and one who turned an offer down.
    member = decliner = None
    at = next(
        (t for to, who, t, _ in steps if to == S.assigned or (to == S.offered and who == "staff")), None
    )
    if at is not None:
        member = picker.pick(b, category, at, open_=open_)
    at = next((t for _, who, t, _ in steps if who == "member2"), None)
    if at is not None:
        decliner = picker.pick(b, category, at, open_=open_, avoid=member.user_id if member else None)
    actors = {
        "resident": wish["resident_id"],
        "staff": staff,
        "member": member.user_id if member else None,
        "member2": decliner.user_id if decliner else None,
        "system": None,
    }

    events, offers = [], []
    score = None
    previous = None
    open_offer: dict | None = None
    for to, who, t, note in steps:
        when = as_datetime(t)
        event_note = None
        if to == S.accepted and previous == S.submitted:
            wish["triaged_at"] = when
            wish["priority"] = pick(rng, PRIORITIES, PRIORITY_CUM).value
        elif to == S.rejected:
            reason, event_note = note
            wish.update(rejection_reason=reason, rejection_note=event_note, closed_at=when)
            event_note = event_note or reason
            if wish["triaged_at"] is None:
                wish["triaged_at"] = when
        elif to in (S.offered, S.posted):
            direct = to == S.offered
            open_offer = {
                "id": ids.next(Offer),
                "wish_id": wish["id"],
                "kind": (OfferKind.direct if direct else OfferKind.wall).value,
                "member_id": actors["member2" if who == "member2" else "member"] if direct else None,
                "offered_by": staff,
                "status": OfferStatus.open.value,
                "decline_reason": None,
                "created_at": when,
                "answered_at": None,
            }
            offers.append(open_offer)
            who = "staff"
        elif to == S.accepted and previous == S.offered:
            declined = OfferStatus.expired if who == "system" else OfferStatus.declined
            open_offer.update(status=declined.value, answered_at=when, decline_reason=note)
            event_note = note
            open_offer = None
        elif to == S.assigned:
            open_offer.update(status=OfferStatus.taken.value, answered_at=when, member_id=actors["member"])
            open_offer = None
            wish.update(assigned_member_id=actors["member"], assigned_at=when)
        elif to == S.completed:
            hours = rng.choice(HOURS.get(category, DEFAULT_HOURS))
            event_note = rng.choice(COMPLETION_NOTES.get(category, COMPLETION_NOTES["other"]))
            wish.update(
                completion_note=event_note,
                hours_spent=float(hours),
                completed_at=when,
                completion_photo_file_id=telegram_file_id(rng, PHOTO) if rng.random() < 0.3 else None,
            )
        elif to == S.confirmed:
            score = pick(rng, SCORES, SCORE_CUM)
            event_note = f"★{score}"
            wish["closed_at"] = when
        elif to in (S.closed, S.cancelled):
            event_note = note
            wish["closed_at"] = when
            if open_offer is not None:
                open_offer.update(status=OfferStatus.withdrawn.value, answered_at=when)
                open_offer = None
        elif to == S.disputed:
            event_note = note
        events.append(
            {
                "id": ids.next(WishEvent),
                "wish_id": wish["id"],
                "actor_id": actors[who],
                "from_status": previous.value if previous else None,
                "to_status": to.value,
                "note": event_note,
                "at": when,
            }
        )
        previous = to
    if score is None:
        return offers, events, None
    rating = {
        "id": ids.next(Rating),
        "wish_id": wish["id"],
        "member_id": member.user_id,
        "score": score,
        "comment": rng.choice(RATING_COMMENTS) if rng.random() < 0.35 else None,
        "created_at": wish["closed_at"],
    }
    member.tasks += 1
    member.hours += wish["hours_spent"]
    member.rating_sum += score
    member.rating_count += 1
    return offers, events, rating
