"""How much to seed, and what a seeding run reports."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    branches: int
    members: int
    residents: int
    wishes: int
    years: float = 2.0


SCALES: dict[str, Scale] = {
    "district": Scale(branches=100, members=20_000, residents=100_000, wishes=200_000),
    "small": Scale(branches=3, members=60, residents=300, wishes=600),
}


@dataclass(frozen=True)
class SeedSummary:
    scale: str
    branches: int
    grids: int
    users: int
    admins: int
    staff: int
    residents: int
    members: int
    wishes: int
    open_wishes: int
    offers: int
    events: int
    ratings: int
    seconds: float
