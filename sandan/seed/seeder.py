"""One seeding run: plan places and people, play out the wish history, write it all in one transaction."""

import random
import time
from datetime import datetime

from models import Branch, Grid, MemberProfile, ResidentProfile, Staff, User
from sandan.seed.draw import DAY
from sandan.seed.ids import SEEDED_MODELS, read_existing
from sandan.seed.members import MemberPicker, build_members
from sandan.seed.names import Identities
from sandan.seed.people import build_population
from sandan.seed.places import plan_places
from sandan.seed.scales import SCALES, SeedSummary
from sandan.seed.wishes import WishHistory
from sandan.seed.writer import insert_rows, reset_sequences, write_member_totals, write_wish_seq
from sandan.settings import DEFAULT_CATALOGUE
from services.catalogue import load_catalogue
from services.db import Database


def run_seed(db: Database, scale_name: str, rng_seed: int, now: datetime) -> SeedSummary:
    started = time.perf_counter()
    scale = SCALES[scale_name]
    rng = random.Random(rng_seed)
    end = now.timestamp()
    start = end - scale.years * 365 * DAY
    catalogue = load_catalogue(DEFAULT_CATALOGUE)
    existing = read_existing(db)
    ids = existing.ids
    identities = Identities(rng, ids, existing.telegram_ids)
    places = plan_places(rng, ids, scale.branches, start, existing.branch_codes)
    people = build_population(rng, ids, identities, places.branches, scale.residents, start, end)
    member_rows, volunteers = build_members(
        rng, ids, identities, places.branches, catalogue, scale.members, start, end, people.users
    )
    picker = MemberPicker(rng, volunteers, [b.code for b in places.branches], catalogue)
    history = WishHistory(rng, ids, places.branches, people, picker, catalogue)
    with db.write() as s:
        insert_rows(s, Branch, places.branch_rows)
        insert_rows(s, Grid, places.grid_rows)
        insert_rows(s, User, people.users)
        insert_rows(s, Staff, people.staff_rows)
        insert_rows(s, ResidentProfile, people.resident_rows)
        insert_rows(s, MemberProfile, member_rows)
        history.write(s, start, end, scale.wishes)
        write_member_totals(s, volunteers)
        write_wish_seq(s, [b.id for b in places.branches], history.last_numbers)
        if not db.is_sqlite:
            reset_sequences(s, SEEDED_MODELS)
    counts = history.counts
    return SeedSummary(
        scale=scale_name,
        branches=len(places.branch_rows),
        grids=len(places.grid_rows),
        users=len(people.users),
        admins=1,
        staff=len(people.staff_rows),
        residents=len(people.resident_rows),
        members=len(member_rows),
        wishes=counts["wishes"],
        open_wishes=counts["open_wishes"],
        offers=counts["offers"],
        events=counts["events"],
        ratings=counts["ratings"],
        seconds=round(time.perf_counter() - started, 2),
    )
