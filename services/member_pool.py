"""A branch's eligible members as arrays, so that ranking one more wish costs a few vector operations.

The sweep ranks a thousand wall postings at once; looping over every member of the
branch in Python for each of them took most of a sweep. The formula itself lives in
services.matching, which hands the pool each member's base score and the bonus table.

numpy is imported inside the methods, not at the top: `sandan run` imports this module at
start, and numpy (about 14 MB of RSS with its BLAS) is only needed once a ranking runs, which
on a quiet branch may be never (bench/rss.py).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import numpy as np


class Member(NamedTuple):  # a tuple: a district sweep builds twenty thousand of them
    user_id: int
    name: str
    grid_id: int | None
    skills: frozenset[str]
    availability: frozenset[str]
    load: int
    rating: float | None
    recent: int
    base: float  # the score before skill fit, grid and availability


@dataclass(frozen=True)
class Ranked:
    member: Member
    score: float
    skill_fit: bool
    same_grid: bool
    available: bool


class Pool:
    def __init__(self, members: list[Member]) -> None:
        import numpy as np  # lazily: see the module's docstring

        self._bits: dict[str, int] = {}
        self.members = members
        self.uid = np.array([m.user_id for m in members], dtype=np.int64)
        self.grid = np.array([-1 if m.grid_id is None else m.grid_id for m in members], dtype=np.int64)
        self.skills = np.array([self._mask(m.skills, learn=True) for m in members], dtype=np.uint64)
        self.free = np.array([self._mask(m.availability, learn=True) for m in members], dtype=np.uint64)
        self.base = np.array([m.base for m in members], dtype=np.float64)

    def _mask(self, tags: Iterable[str], *, learn: bool = False) -> int:
        """The tags as bits; a tag no member has gets no bit, so it matches nobody."""
        mask = 0
        for tag in tags:
            if tag not in self._bits and learn:
                if len(self._bits) == 64:
                    raise ValueError("more than 64 distinct skill and availability tags")
                self._bits[tag] = len(self._bits)
            if tag in self._bits:
                mask |= 1 << self._bits[tag]
        return mask

    def rank(
        self,
        *,
        bonus: "np.ndarray",
        fitting: frozenset[str],
        slots: frozenset[str],
        grid_id: int | None,
        exclude: set[int],
        limit: int,
    ) -> list[Ranked]:
        """The best `limit` members, best first, ties to the lower user id.

        `bonus[fit * 4 + grid * 2 + free]` is what the three facts add to a member's base.
        """
        import numpy as np  # lazily: see the module's docstring; loaded by __init__ already

        if not self.members:
            return []
        fit = (self.skills & np.uint64(self._mask(fitting))) != 0
        same = self.grid == (-2 if grid_id is None else grid_id)
        free = (self.free & np.uint64(self._mask(slots))) != 0
        total = self.base + bonus[fit * 4 + same * 2 + free]
        if exclude:
            total[np.isin(self.uid, list(exclude))] = -np.inf
        if len(total) > limit:  # only the members scoring at least the limit-th best can make the list
            cut = np.partition(total, len(total) - limit)[len(total) - limit]
            kept = np.flatnonzero(total >= cut)
        else:
            kept = np.arange(len(total))
        order = kept[np.lexsort((self.uid[kept], -total[kept]))]
        best = [i for i in order[:limit] if np.isfinite(total[i])]
        return [
            Ranked(self.members[i], round(float(total[i]), 2), bool(fit[i]), bool(same[i]), bool(free[i]))
            for i in best
        ]
