"""Two years of wishes, played out in submission order and written in chunks.

No resident has more than three open wishes, so the default limit of five leaves
room to post more. The seeded history has no outbox rows: its notifications count
as long delivered.
"""

import random
from bisect import bisect
from collections import defaultdict

from sqlalchemy.orm import Session

from models import Offer, Priority, Rating, Wish, WishEvent
from models import WishStatus as S
from models.enums import OPEN_STATUSES
from sandan.seed.draw import as_datetime, cumulative, pick
from sandan.seed.history import wish_rows
from sandan.seed.ids import Ids
from sandan.seed.members import MemberPicker
from sandan.seed.people import Population
from sandan.seed.places import PlannedBranch
from sandan.seed.timeline import final_statuses, submission_times, timed_path
from sandan.seed.writer import insert_rows
from services.catalogue import Catalogue

WISH_CHUNK = 5_000  # wishes planned and written at a time
MAX_OPEN_PER_RESIDENT = 3
CATEGORY_WEIGHTS = {
    "housework": 12,
    "repairs": 20,
    "errands": 12,
    "eldercare": 13,
    "medical_escort": 8,
    "tutoring": 8,
    "legal": 4,
    "emotional": 3,
    "digital": 11,
    "material": 6,
    "other": 3,
}
COUNTED = {Wish: "wishes", Offer: "offers", WishEvent: "events", Rating: "ratings"}


class WishHistory:
    """Every wish with its offers, events and rating; `last_numbers` ends as each branch's wish_seq."""

    def __init__(
        self,
        rng: random.Random,
        ids: Ids,
        branches: list[PlannedBranch],
        people: Population,
        picker: MemberPicker,
        catalogue: Catalogue,
    ) -> None:
        self.rng, self.ids, self.branches, self.people, self.picker = rng, ids, branches, people, picker
        self.categories = [c for c in CATEGORY_WEIGHTS if c in catalogue.categories]
        self.categories += [c for c in catalogue.categories if c not in self.categories]
        self.category_cum = cumulative(CATEGORY_WEIGHTS.get(c, 3) for c in self.categories)
        self.open_count: dict[int, int] = defaultdict(int)
        self.counts: dict[str, int] = defaultdict(int)
        self.last_numbers = [0] * len(branches)

    def write(self, s: Session, start: float, now: float, count: int) -> None:
        rng = self.rng
        times = submission_times(rng, start, now, count)
        statuses = final_statuses(rng, times, now)
        residents = self.people.residents_by_branch
        branch_cum = cumulative(len(r.ids) * b.weight for r, b in zip(residents, self.branches, strict=True))
        indexes = list(range(len(self.branches)))
        rows: dict[type, list[dict]] = {model: [] for model in COUNTED}
        for submitted, status in zip(times, statuses, strict=True):
            b = pick(rng, indexes, branch_cum)
            self.last_numbers[b] += 1
            wish, offers, events, rating = self._wish(b, submitted, status, now)
            self.counts["open_wishes"] += wish["status"] in OPEN_STATUSES
            rows[Wish].append(wish)
            rows[Offer] += offers
            rows[WishEvent] += events
            if rating:
                rows[Rating].append(rating)
            if len(rows[Wish]) >= WISH_CHUNK:
                self._flush(s, rows)
        self._flush(s, rows)

    def _flush(self, s: Session, rows: dict[type, list[dict]]) -> None:
        for model, batch in rows.items():
            insert_rows(s, model, batch)
            self.counts[COUNTED[model]] += len(batch)
            batch.clear()

    def _wish(self, b: int, submitted: float, status: S, now: float) -> tuple:
        rng = self.rng
        wid = self.ids.next(Wish)
        status, steps = timed_path(rng, submitted, status, now)
        open_ = status in OPEN_STATUSES
        resident = self._resident(b, submitted, open_)
        if open_:
            self.open_count[resident] += 1
        wish = {
            "id": wid,
            "number": f"{self.branches[b].code}-{self.last_numbers[b]:04d}",
            "branch_id": self.branches[b].id,
            "grid_id": self.people.resident_grid[resident],
            "resident_id": resident,
            "category": pick(rng, self.categories, self.category_cum),
            "priority": Priority.normal.value,
            "status": status.value,
            "submitted_at": as_datetime(submitted),
            "assigned_member_id": None,
            "rejection_reason": None,
            "rejection_note": None,
            "completion_note": None,
            "completion_photo_file_id": None,
            "hours_spent": None,
            "triaged_at": None,
            "assigned_at": None,
            "completed_at": None,
            "closed_at": None,
        }
        staff = rng.choice(self.people.staff_by_branch[b])
        offers, events, rating = wish_rows(rng, self.ids, self.picker, wish, b, staff, steps, open_)
        return wish, offers, events, rating

    def _resident(self, b: int, at: float, open_: bool) -> int:
        """A resident of branch `b` who had joined by `at`, and, for an open wish, has room for one."""
        residents = self.people.residents_by_branch[b]
        ids, created, cum = residents.ids, residents.created, residents.cum

        def fits(i: int) -> bool:
            return created[i] < at and not (open_ and self.open_count[ids[i]] >= MAX_OPEN_PER_RESIDENT)

        for attempt in range(30):
            i = bisect(cum, self.rng.random() * cum[-1]) if attempt < 20 else self.rng.randrange(len(ids))
            if fits(i):
                return ids[i]
        for i in range(len(ids)):
            if fits(i):
                return ids[i]
        raise ValueError(f"branch {self.branches[b].code} has no resident free to post a wish")
