"""Branches (社区) with their grids (网格), the 小区 each grid covers, and home addresses."""

import math
import random
from dataclasses import dataclass

from models import Branch, Grid
from sandan.seed.draw import DAY, as_datetime, share_out
from sandan.seed.ids import Ids

# Street codes, ten branches each: 东风 和平 新华 朝阳 建设 解放 人民 光明
# 胜利 红旗 长青 兴隆 富强 永安 文化 青年.
STREET_CODES = [
    "DF",
    "HP",
    "XH",
    "CY",
    "JS",
    "JF",
    "RM",
    "GM",
    "SL",
    "HQ",
    "CQ",
    "XL",
    "FQ",
    "YA",
    "WH",
    "QN",
]
COMMUNITY_FIRST = "东西南北金银翠锦华新康安宁和永长青龙凤桂兰梅竹松柏丰盛兴泰明光春秋碧滨临望"
COMMUNITY_SECOND = "苑园湖桥林华山河庭湾坊里城岭塘楼亭溪"
ORDINALS = "一二三四五六七八九十"
COMPOUND_FIRST = [
    "阳光",
    "锦绣",
    "金色",
    "幸福",
    "和谐",
    "翠湖",
    "东方",
    "世纪",
    "滨江",
    "碧水",
    "绿城",
    "名都",
    "丽景",
    "御景",
    "香榭",
    "枫林",
    "桂园",
    "怡景",
    "春晓",
    "紫薇",
    "书香",
    "嘉和",
    "华府",
    "龙湖",
    "金桥",
    "银河",
    "锦华",
    "康乐",
    "安居",
    "盛世",
    "馨园",
    "水岸",
    "星河",
    "翡翠",
    "玉兰",
    "南湖",
    "北苑",
    "新城",
    "天成",
    "润园",
]
COMPOUND_SECOND = [
    "花园",
    "家园",
    "小区",
    "新村",
    "苑",
    "公寓",
    "佳苑",
    "雅居",
    "名邸",
    "华庭",
    "府",
]
OLD_COMPOUNDS = [
    "纺织厂宿舍",
    "供电局家属院",
    "机床厂生活区",
    "粮食局宿舍",
    "铁路新村",
    "二中教师宿舍",
    "印刷厂家属院",
    "水泥厂宿舍",
    "税务局宿舍",
    "医院家属院",
]

Compound = tuple[str, int, int, int]  # name, buildings, units per building (0: none), floors


@dataclass(frozen=True)
class PlannedBranch:
    id: int
    code: str
    weight: float  # how busy, relative to the others
    grids: list[tuple[int, list[Compound]]]  # (grid id, the compounds it covers)


@dataclass(frozen=True)
class Places:
    branches: list[PlannedBranch]
    branch_rows: list[dict]
    grid_rows: list[dict]


def plan_places(rng: random.Random, ids: Ids, count: int, before: float, taken_codes: set[str]) -> Places:
    """`count` branches created some time before `before`, each with four to eight grids."""
    per_street = min(count, 10)
    if math.ceil(count / per_street) > len(STREET_CODES):
        raise ValueError(f"at most {len(STREET_CODES) * 10} branches")
    community_names = [a + b for a in COMMUNITY_FIRST for b in COMMUNITY_SECOND]
    rng.shuffle(community_names)
    names = iter(community_names)
    weights = [rng.uniform(0.5, 1.6) for _ in range(count)]
    branches, branch_rows, grid_rows = [], [], []
    for i, weight in enumerate(weights):
        code = f"{STREET_CODES[i // per_street]}{i % per_street + 1:02d}"
        if code in taken_codes:
            raise ValueError(f"branch {code} already exists; seed an empty database")
        bid = ids.next(Branch)
        created = before - rng.uniform(30, 400) * DAY
        branch_rows.append(
            {
                "id": bid,
                "code": code,
                "name": f"{next(names)}社区",
                "wish_seq": 0,
                "created_at": as_datetime(created),
            }
        )
        compounds = _compounds(rng)
        k = rng.randint(4, 8)
        sizes = share_out(len(compounds), [1] * k) if len(compounds) >= k else [1] * k
        grids, start = [], 0
        for g in range(k):
            part = compounds[start : start + sizes[g]] or [compounds[g % len(compounds)]]
            start += sizes[g]
            gid = ids.next(Grid)
            covers = "、".join(f"{c}1-{nb}栋" for c, nb, _, _ in part)
            grid_rows.append(
                {"id": gid, "branch_id": bid, "name": f"第{ORDINALS[g]}网格", "compounds": covers[:500]}
            )
            grids.append((gid, part))
        branches.append(PlannedBranch(bid, code, weight, grids))
    return Places(branches, branch_rows, grid_rows)


def _compounds(rng: random.Random) -> list[Compound]:
    """The 小区 of one community."""
    found: dict[str, Compound] = {}
    want = rng.randint(6, 14)
    while len(found) < want:
        if rng.random() < 0.15:
            name = rng.choice(OLD_COMPOUNDS)
            found.setdefault(name, (name, rng.randint(3, 12), 0, rng.choice([5, 6, 7])))
        else:
            name = rng.choice(COMPOUND_FIRST) + rng.choice(COMPOUND_SECOND)
            floors = rng.choice([6, 11, 18, 26, 33])
            found.setdefault(name, (name, rng.randint(4, 30), rng.randint(1, 4), floors))
    return list(found.values())


def home_address(rng: random.Random, branch: PlannedBranch) -> tuple[int, dict]:
    """A grid of `branch` and an address in one of its compounds."""
    grid_id, compounds = rng.choice(branch.grids)
    name, buildings, units, floors = rng.choice(compounds)
    floor = min(floors, 1 + int(rng.random() ** 1.3 * floors))
    return grid_id, {
        "compound": name,
        "building": f"{rng.randint(1, buildings)}栋",
        "unit": f"{rng.randint(1, units)}单元" if units else "",
        "room": f"{floor}{rng.randint(1, 4):02d}",
    }
