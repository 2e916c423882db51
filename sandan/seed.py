"""Synthetic but realistic data: branches, people and two years of wishes.

`seed(db, scale="district")` fills an already migrated database with 100
branches, 20,000 members, 100,000 residents and 200,000 wishes whose statuses,
timestamps, offers, audit events, ratings and member totals agree with each
other, as if the service had run for two years. `scale="small"` does the same
in miniature, for quick tries and tests.

Rows go in through SQLAlchemy Core bulk inserts with explicit ids (no
RETURNING), all in one transaction: the district scale (about 1.9 million rows)
takes about a minute on SQLite or PostgreSQL on a 2-CPU machine. On PostgreSQL
the id sequences are moved past the seeded ids afterwards. The seeded history
has no outbox rows: its notifications count as long delivered.

What the open tail looks like: wishes from the last three weeks may still be
open, the younger the likelier, in statuses that fit their age; every open
status appears at least once at any scale, and no resident has more than three
open wishes, so the default limit of five leaves room to post more.

Names follow Faker's zh_CN tables (its surname frequencies and given names),
drawn with one seeded random generator, so the same `rng_seed` and `now` give
the same data.
"""

import math
import random
import time
from bisect import bisect
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate

from faker.providers.person.zh_CN import Provider as _ZhNames
from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    Availability,
    Branch,
    Grid,
    MemberProfile,
    MemberStatus,
    Offer,
    OfferKind,
    OfferStatus,
    Priority,
    Rating,
    ResidentProfile,
    Staff,
    TimeWindow,
    User,
    Wish,
    WishEvent,
    WishStatus,
)
from models.enums import OPEN_STATUSES
from models.types import utcnow
from sandan.settings import DEFAULT_CATALOGUE
from services.catalogue import Catalogue, load_catalogue
from services.db import Database

S = WishStatus
BATCH = 5_000  # rows per executemany
WISH_CHUNK = 5_000  # wishes planned and written at a time
RATING_WINDOW = timedelta(days=7)  # a completed wish nobody rates is closed after this
_LOCAL = timedelta(hours=8)  # Asia/Shanghai, for office hours and preferred dates
_DAY = 86_400.0
_HOUR = 3_600.0


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


# --- word lists -----------------------------------------------------------------------------

_STREETS = [
    ("DF", "东风"),
    ("HP", "和平"),
    ("XH", "新华"),
    ("CY", "朝阳"),
    ("JS", "建设"),
    ("JF", "解放"),
    ("RM", "人民"),
    ("GM", "光明"),
    ("SL", "胜利"),
    ("HQ", "红旗"),
    ("CQ", "长青"),
    ("XL", "兴隆"),
    ("FQ", "富强"),
    ("YA", "永安"),
    ("WH", "文化"),
    ("QN", "青年"),
]
_COMMUNITY_A = "东西南北金银翠锦华新康安宁和永长青龙凤桂兰梅竹松柏丰盛兴泰明光春秋碧滨临望"
_COMMUNITY_B = "苑园湖桥林华山河庭湾坊里城岭塘楼亭溪"
_ORDINALS = "一二三四五六七八九十"
_COMPOUND_A = [
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
_COMPOUND_B = ["花园", "家园", "小区", "新村", "苑", "公寓", "佳苑", "雅居", "名邸", "华庭", "府"]
_OLD_COMPOUNDS = [
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
_WORK_UNITS = [
    "区税务局",
    "市第一医院",
    "市第二人民医院",
    "市中医院",
    "区人民法院",
    "区人民检察院",
    "区教育局",
    "区实验小学",
    "市第二中学",
    "市供电公司",
    "市自来水公司",
    "市燃气集团",
    "区市场监督管理局",
    "区财政局",
    "区民政局",
    "区司法局",
    "区人社局",
    "区住建局",
    "区城市管理局",
    "区卫生健康委员会",
    "区应急管理局",
    "市公安局城东分局",
    "市图书馆",
    "中国银行城东支行",
    "工商银行人民路支行",
    "中国移动城区分公司",
    "中国邮政城区分公司",
    "区融媒体中心",
    "区委组织部",
    "区政务服务中心",
    "街道办事处",
    "区退役军人事务局",
    "市第三中学",
    "区妇幼保健院",
    "区疾控中心",
    "区交通运输局",
]
_MALE_MID = "建志国文俊海晓春永德明家子宇浩振立小伟金"
_FEMALE_MID = "秀桂玉丽晓春美淑雅欣佳思雨红海小慧凤"
_NICKNAMES = [
    "平安是福",
    "开心每一天",
    "知足常乐",
    "静待花开",
    "海阔天空",
    "晴天",
    "阳光",
    "岁月静好",
    "春暖花开",
    "老顽童",
    "清风",
    "向日葵",
    "一帆风顺",
    "笑口常开",
    "明月",
    "青松",
]
# Mobile prefixes checked against `phonenumbers`, weighted roughly by how common they are.
_PHONE_PREFIXES = {
    130: 4,
    131: 4,
    132: 4,
    133: 3,
    135: 6,
    136: 6,
    137: 6,
    138: 8,
    139: 8,
    150: 4,
    151: 4,
    152: 3,
    153: 3,
    155: 3,
    156: 3,
    157: 2,
    158: 4,
    159: 4,
    166: 1,
    170: 1,
    173: 1,
    176: 2,
    177: 2,
    178: 1,
    180: 3,
    181: 3,
    182: 3,
    183: 3,
    185: 3,
    186: 4,
    187: 4,
    188: 3,
    189: 4,
    191: 1,
    198: 1,
    199: 2,
}
_CATEGORY_WEIGHTS = {
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
_WISH_TEXTS = {
    "housework": [
        "家里老人行动不便，想请人帮忙打扫一下卫生",
        "厨房油烟机太脏了，自己清洗不了",
        "想请人帮忙擦一下窗户，够不着",
        "换季了，想请人帮忙把被褥晒一晒收起来",
        "腰不好弯不下去，家里地板想请人拖一拖",
    ],
    "repairs": [
        "厨房水管漏水，想请人帮忙看看",
        "卫生间下水道堵了",
        "家里灯泡坏了，够不着换",
        "门锁不好用，钥匙经常拧不动",
        "热水器不出热水",
        "马桶一直流水",
        "阳台晾衣架坏了摇不下来",
        "插座没电了，不知道哪里坏了",
    ],
    "errands": [
        "想请人帮忙去医院取一下检查报告",
        "帮忙代缴一下水电费",
        "腿脚不方便，帮忙买点米和油送上楼",
        "帮忙寄一个快递给外地的孙子",
        "帮忙去药店取一下药",
        "帮忙去社保窗口交一下材料",
    ],
    "eldercare": [
        "老伴住院了，白天家里没人照顾我",
        "子女都在外地，想找人陪老人聊聊天",
        "独居老人，想请人每周上门看看",
        "想请人陪老人下楼晒晒太阳",
        "老人想理发，出不了门",
    ],
    "medical_escort": [
        "下周要去市第一医院复查，想找人陪同",
        "子女不在身边，需要人陪我去医院做检查",
        "去医院挂号不会用手机，想找人帮忙陪诊",
        "要去眼科复诊，想找人开车接送",
    ],
    "tutoring": [
        "孩子三年级数学跟不上，想找人辅导一下",
        "孩子英语作业不会，家长也辅导不了",
        "初二物理有些难，想请人周末辅导",
        "想找人给孩子讲讲作文怎么写",
    ],
    "legal": [
        "和房东有押金纠纷，想咨询一下",
        "想咨询遗嘱怎么立才有效",
        "工资被拖欠了，不知道怎么办",
        "想咨询一下赡养费的问题",
    ],
    "emotional": [
        "老伴去世后一直心情不好，想找人说说话",
        "孩子最近不爱说话，想找人聊聊",
        "最近睡不好，心里很烦",
    ],
    "digital": [
        "不会用手机挂号，想请人教一下",
        "医保码不会弄",
        "家里宽带连不上网了",
        "想学用微信视频和孙子聊天",
        "手机内存满了，不会清理",
        "不会在网上交电费",
    ],
    "material": [
        "孩子马上开学，想要一个新书包",
        "冬天到了，家里老人缺一件棉衣",
        "孩子想要几本课外书",
        "家里缺一个轮椅",
        "想要一台旧的电风扇",
    ],
    "other": [
        "家里的旧家具想找人帮忙搬下楼",
        "想了解一下社区有什么活动",
        "楼道里堆了杂物，想请人帮忙清理",
    ],
}
_COMPLETION_NOTES = {
    "housework": ["已打扫完毕", "油烟机已清洗干净", "窗户已擦好"],
    "repairs": ["已上门更换水管，试用正常", "下水道已疏通", "已换好灯泡", "已更换门锁芯"],
    "errands": ["报告已取回送到家中", "费用已代缴，凭证交给居民", "东西已送到家里"],
    "eldercare": ["已上门陪伴老人半天", "已陪老人下楼散步", "已联系家属，情况良好"],
    "medical_escort": ["已陪同就诊，报告已取回", "已开车接送往返医院"],
    "tutoring": ["已辅导两次，孩子进步明显", "已讲解作业，留了练习题"],
    "legal": ["已解答相关法律问题，并建议了处理办法", "已帮助联系法律援助中心"],
    "emotional": ["已上门聊天，情绪好多了", "已陪伴谈心，约好下次再来"],
    "digital": ["已帮忙设置好手机", "宽带已恢复", "已教会视频通话"],
    "material": ["物资已送到家中", "书包已送到孩子手上"],
    "other": ["已办结，居民满意", "已帮忙处理好"],
}
_HOURS = {"tutoring": (1.5, 2, 2, 3), "eldercare": (2, 3, 4), "medical_escort": (2, 3, 4, 5)}
_DEFAULT_HOURS = (0.5, 1, 1, 1, 1.5, 2, 2, 3)
_RATING_COMMENTS = [
    "非常感谢！",
    "服务很好，很耐心",
    "小伙子很热心",
    "很及时，谢谢党员同志",
    "解决了大问题，感谢社区",
    "态度很好",
    "下次还找他",
    "辛苦了",
]
_DECLINE_REASONS = ["这周出差", "工作太忙，时间排不开", "最近身体不舒服", "不太擅长这方面", "家里有事"]
_REJECTION_WEIGHTS = {
    "benefits": 20,
    "enforcement": 12,
    "mediation": 12,
    "emergency": 2,
    "commercial": 18,
    "duplicate": 14,
    "unclear": 14,
    "out_of_area": 8,
}
_REJECTION_NOTES = ["已告知居民拨打12345", "建议联系物业处理", "已电话联系居民说明情况"]
_CANCEL_NOTES = ["问题已经自己解决了", "子女回来帮忙了", "不需要了"]
_DISPUTE_NOTES = ["问题还没解决", "没有人上门", "修好后又坏了"]
_DISPUTE_CLOSE_NOTES = ["已回访，居民表示理解", "已重新上门处理，居民认可"]
_HOUR_WEIGHTS = [1, 0, 0, 0, 0, 1, 2, 3, 6, 9, 10, 8, 4, 4, 7, 8, 8, 6, 5, 5, 4, 2, 1, 1]

# Which open statuses a wish of a given age may still be in, and how likely it is still open.
_OPEN_BANDS = [  # (max age in days, chance still open, {status: weight})
    (2 / 24, 0.97, {S.submitted: 70, S.accepted: 25, S.offered: 5}),
    (
        1,
        0.85,
        {S.submitted: 25, S.accepted: 20, S.offered: 15, S.posted: 12, S.assigned: 18, S.in_progress: 10},
    ),
    (
        7,
        0.45,
        {
            S.submitted: 3,
            S.accepted: 10,
            S.offered: 8,
            S.posted: 10,
            S.assigned: 22,
            S.in_progress: 15,
            S.completed: 25,
            S.disputed: 7,
        },
    ),
    (21, 0.12, {S.accepted: 10, S.posted: 15, S.assigned: 30, S.in_progress: 25, S.disputed: 20}),
]
_FINISHED_MIX = {S.confirmed: 72, S.closed: 13, S.rejected: 8, S.cancelled: 7}
_MIN_AGE = {  # seconds a forced open status needs at least
    S.submitted: 0,
    S.accepted: _HOUR,
    S.offered: _HOUR,
    S.posted: _HOUR,
    S.assigned: 3 * _HOUR,
    S.in_progress: 4 * _HOUR,
    S.completed: 6 * _HOUR,
    S.disputed: 8 * _HOUR,
}


# --- small helpers --------------------------------------------------------------------------


def _cum(weights) -> list[float]:
    return list(accumulate(weights))


def _pick(rng: random.Random, items, cum: list[float]):
    return items[bisect(cum, rng.random() * cum[-1])]


def _split(total: int, weights: list[float]) -> list[int]:
    """Share `total` out in proportion to `weights` (largest remainder)."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    counts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _lognormal(rng: random.Random, median: float, sigma: float, lo: float, hi: float) -> float:
    return min(hi, max(lo, median * math.exp(rng.gauss(0, sigma))))


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _batches(rows: list, size: int = BATCH):
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


async def _insert(s: AsyncSession, model, rows: list[dict]) -> None:
    table = model.__table__
    for batch in _batches(rows):
        await s.execute(insert(table), batch)


class _People:
    """Names, phones and Telegram ids, all from one seeded generator."""

    def __init__(self, rng: random.Random, taken_telegram_ids: set[int]) -> None:
        self.rng = rng
        self.surnames = list(_ZhNames.last_names)
        self.surname_cum = _cum(_ZhNames.last_names.values())
        self.male = list(_ZhNames.first_names_male)
        self.female = list(_ZhNames.first_names_female)
        self.prefixes = list(_PHONE_PREFIXES)
        self.prefix_cum = _cum(_PHONE_PREFIXES.values())
        self.phones: set[str] = set()
        self.telegram_ids = set(taken_telegram_ids)
        self.female_last = False

    def name(self) -> str:
        rng = self.rng
        surname = _pick(rng, self.surnames, self.surname_cum)
        female = self.female_last = rng.random() < 0.5
        given = rng.choice(self.female if female else self.male)
        if len(given) == 1 and rng.random() < 0.7:
            middle = rng.choice(_FEMALE_MID if female else _MALE_MID)
            if middle != given:
                given = middle + given
        return surname + given

    def display_name(self, name: str) -> str:
        roll = self.rng.random()
        if roll < 0.6:
            return name
        if roll < 0.8:
            return self.rng.choice(_NICKNAMES)
        if roll < 0.9:
            return f"老{name[0]}" if self.rng.random() < 0.5 else f"小{name[-1]}"
        titles = ["阿姨", "老师", "大姐"] if self.female_last else ["师傅", "老师", "大哥"]
        return name[0] + self.rng.choice(titles)

    def phone(self) -> str:
        while True:
            prefix = _pick(self.rng, self.prefixes, self.prefix_cum)
            phone = f"+86{prefix}{self.rng.randrange(10**8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def telegram_id(self) -> int:
        while True:
            tid = self.rng.randrange(100_000_000, 7_900_000_000)
            if tid not in self.telegram_ids:
                self.telegram_ids.add(tid)
                return tid


@dataclass
class _Member:
    user_id: int
    profile_id: int
    branch: int  # index into the generator's branches
    status: MemberStatus
    decided: float | None  # timestamp of approval, or None
    skills: frozenset[str]
    weight: float  # how keen: a few members take most jobs
    tasks: int = 0
    hours: float = 0.0
    rating_sum: int = 0
    rating_count: int = 0


class _Pool:
    """Members to choose from, by keenness, with a fallback for early wishes."""

    def __init__(self, members: list[_Member]) -> None:
        self.members = members
        self.cum = _cum(m.weight for m in members)
        self.earliest = sorted(members, key=lambda m: m.decided or math.inf)

    def choose(self, rng: random.Random, at: float, avoid: int | None = None) -> _Member | None:
        if not self.members:
            return None
        for _ in range(10):
            m = _pick(rng, self.members, self.cum)
            if m.decided is not None and m.decided < at and m.user_id != avoid:
                return m
        for m in self.earliest:
            if m.decided is not None and m.decided < at and m.user_id != avoid:
                return m
        return None


class _Seeder:
    def __init__(self, db: Database, scale_name: str, rng_seed: int, now: datetime) -> None:
        self.db = db
        self.scale_name = scale_name
        self.scale = SCALES[scale_name]
        self.rng = random.Random(rng_seed)
        self.now = now.timestamp()
        self.span_start = self.now - self.scale.years * 365 * _DAY
        self.catalogue: Catalogue = load_catalogue(DEFAULT_CATALOGUE)
        self.categories = [c for c in _CATEGORY_WEIGHTS if c in self.catalogue.categories]
        self.categories += [c for c in self.catalogue.categories if c not in self.categories]
        self.category_cum = _cum(_CATEGORY_WEIGHTS.get(c, 3) for c in self.categories)
        self.counts: dict[str, int] = defaultdict(int)

    # --- ids and what is already there ---

    async def _prepare(self) -> None:
        async with self.db.read() as s:
            self.next_id = {}
            for model in (
                Branch,
                Grid,
                User,
                Staff,
                ResidentProfile,
                MemberProfile,
                Wish,
                WishEvent,
                Offer,
                Rating,
            ):
                self.next_id[model] = (await s.scalar(select(func.max(model.id)))) or 0
            taken_tids = set(
                (await s.scalars(select(User.telegram_id).where(User.telegram_id.is_not(None)))).all()
            )
            self.taken_codes = set((await s.scalars(select(Branch.code))).all())
        self.people = _People(self.rng, taken_tids)

    def _id(self, model) -> int:
        self.next_id[model] += 1
        return self.next_id[model]

    def _past(self, lo: float, hi: float) -> float:
        """A moment between `lo` and `hi` seconds before now."""
        return self.now - self.rng.uniform(lo, hi)

    def _user(self, created: float, *, is_admin: bool = False) -> dict:
        name = self.people.name()
        return {
            "id": self._id(User),
            "telegram_id": self.people.telegram_id(),
            "display_name": self.people.display_name(name),
            "name": name,
            "phone": self.people.phone(),
            "language": "en" if self.rng.random() < 0.01 else "zh",
            "is_admin": is_admin,
            "unreachable": self.rng.random() < 0.005,
            "created_at": _dt(created),
        }

    # --- branches, grids and people ---

    def _branches(self) -> tuple[list[dict], list[dict]]:
        n = self.scale.branches
        per_street = 10 if n > 10 else n
        streets = math.ceil(n / per_street)
        if streets > len(_STREETS) or per_street > 99:
            raise ValueError(f"at most {len(_STREETS) * 99} branches")
        community_names = [a + b for a in _COMMUNITY_A for b in _COMMUNITY_B]
        self.rng.shuffle(community_names)
        names = iter(name for name in community_names)
        branches, grids = [], []
        self.branch_ids, self.branch_codes, self.branch_grids = [], [], []
        self.branch_weight = [self.rng.uniform(0.5, 1.6) for _ in range(n)]
        for i in range(n):
            prefix = _STREETS[i // per_street][0]
            code = f"{prefix}{i % per_street + 1:02d}"
            if code in self.taken_codes:
                raise ValueError(f"branch {code} already exists; seed an empty database")
            bid = self._id(Branch)
            created = self.span_start - self.rng.uniform(30, 400) * _DAY
            branches.append(
                {
                    "id": bid,
                    "code": code,
                    "name": f"{next(names)}社区",
                    "wish_seq": 0,
                    "created_at": _dt(created),
                }
            )
            self.branch_ids.append(bid)
            self.branch_codes.append(code)
            compounds = self._compounds()
            k = self.rng.randint(4, 8)
            sizes = _split(len(compounds), [1] * k) if len(compounds) >= k else [1] * k
            mine, start = [], 0
            for g in range(k):
                part = compounds[start : start + sizes[g]] or [compounds[g % len(compounds)]]
                start += sizes[g]
                gid = self._id(Grid)
                covers = "、".join(f"{c}1-{nb}栋" for c, nb, _, _ in part)
                grids.append(
                    {"id": gid, "branch_id": bid, "name": f"第{_ORDINALS[g]}网格", "compounds": covers[:500]}
                )
                mine.append((gid, part))
            self.branch_grids.append(mine)
        return branches, grids

    def _compounds(self) -> list[tuple[str, int, int, int]]:
        """The 小区 of one community: (name, buildings, units per building, floors)."""
        found: dict[str, tuple[str, int, int, int]] = {}
        want = self.rng.randint(6, 14)
        while len(found) < want:
            if self.rng.random() < 0.15:
                name = self.rng.choice(_OLD_COMPOUNDS)
                found.setdefault(name, (name, self.rng.randint(3, 12), 0, self.rng.choice([5, 6, 7])))
            else:
                name = self.rng.choice(_COMPOUND_A) + self.rng.choice(_COMPOUND_B)
                floors = self.rng.choice([6, 11, 18, 26, 33])
                found.setdefault(name, (name, self.rng.randint(4, 30), self.rng.randint(1, 4), floors))
        return list(found.values())

    def _address(self, b: int) -> tuple[int, dict]:
        grid_id, compounds = self.rng.choice(self.branch_grids[b])
        name, buildings, units, floors = self.rng.choice(compounds)
        floor = min(floors, 1 + int(self.rng.random() ** 1.3 * floors))
        return grid_id, {
            "compound": name,
            "building": f"{self.rng.randint(1, buildings)}栋",
            "unit": f"{self.rng.randint(1, units)}单元" if units else "",
            "room": f"{floor}{self.rng.randint(1, 4):02d}",
        }

    def _people_rows(self):
        rng, sc = self.rng, self.scale
        users, staff_rows, residents, members = [], [], [], []
        admin = self._user(self.span_start - 400 * _DAY, is_admin=True)
        users.append(admin)
        self.admin_id = admin["id"]
        self.staff = []
        for bid in self.branch_ids:
            mine = []
            for _ in range(rng.randint(2, 3)):
                u = self._user(self.span_start - rng.uniform(10, 300) * _DAY)
                users.append(u)
                staff_rows.append({"id": self._id(Staff), "user_id": u["id"], "branch_id": bid})
                mine.append(u["id"])
            self.staff.append(mine)

        # Residents: half were there before the period, the rest joined during it.
        self.residents = []  # per branch: ([user ids], [created], cum weights)
        for b, count in enumerate(_split(sc.residents, self.branch_weight)):
            ids, created, weights = [], [], []
            for _ in range(count):
                joined = (
                    self.span_start - rng.uniform(0, 700) * _DAY
                    if rng.random() < 0.5
                    else rng.uniform(self.span_start, self.now - _DAY)
                )
                u = self._user(joined)
                users.append(u)
                grid_id, address = self._address(b)
                residents.append(
                    {
                        "id": self._id(ResidentProfile),
                        "user_id": u["id"],
                        "branch_id": self.branch_ids[b],
                        "grid_id": grid_id,
                        **address,
                    }
                )
                ids.append(u["id"])
                created.append(joined)
                weights.append(min(rng.paretovariate(1.3), 40))
            self.residents.append((ids, created, _cum(weights)))

        # Members: mostly approved; a few pending, paused, suspended or turned down.
        skill_codes = list(self.catalogue.skills)
        skill_weights = {
            "repair": 3,
            "errands": 4,
            "housework": 3,
            "eldercare": 3,
            "digital": 4,
            "tutoring": 3,
            "driving": 2,
            "medical": 1.5,
            "legal": 0.7,
            "counselling": 0.6,
        }
        skill_cum = _cum(skill_weights.get(c, 1) for c in skill_codes)
        statuses = [
            MemberStatus.approved,
            MemberStatus.pending,
            MemberStatus.paused,
            MemberStatus.suspended,
            MemberStatus.rejected,
        ]
        status_cum = _cum([88, 4, 5, 1, 2])
        slots = [a.value for a in Availability]
        slot_cum = _cum([3, 4, 6])
        self.members: list[_Member] = []
        for b, count in enumerate(_split(sc.members, self.branch_weight)):
            for _ in range(count):
                status = _pick(rng, statuses, status_cum)
                if status == MemberStatus.pending:
                    registered = self._past(0.2 * _DAY, 30 * _DAY)
                    decided = None
                else:
                    registered = (
                        self.span_start - rng.uniform(0, 1100) * _DAY
                        if rng.random() < 0.6
                        else rng.uniform(self.span_start, self.now - 10 * _DAY)
                    )
                    decided = registered + rng.uniform(0.1, 7) * _DAY
                u = self._user(registered - rng.uniform(0, 200) * _DAY)
                users.append(u)
                skills = {_pick(rng, skill_codes, skill_cum) for _ in range(rng.choice([1, 1, 2, 2, 3]))}
                avail = {_pick(rng, slots, slot_cum) for _ in range(rng.choice([1, 2, 2, 3]))}
                grids = self.branch_grids[b]
                grid_id = rng.choice(grids)[0] if rng.random() < 0.9 else None
                profile_id = self._id(MemberProfile)
                members.append(
                    {
                        "id": profile_id,
                        "user_id": u["id"],
                        "branch_id": self.branch_ids[b],
                        "grid_id": grid_id,
                        "work_unit": rng.choice(_WORK_UNITS),
                        "skills": sorted(skills),
                        "availability": sorted(avail),
                        "status": status.value,
                        "hours_total": 0.0,
                        "tasks_confirmed": 0,
                        "rating_sum": 0,
                        "rating_count": 0,
                        "registered_at": _dt(registered),
                        "decided_at": _dt(decided) if decided is not None else None,
                    }
                )
                worked = status in (MemberStatus.approved, MemberStatus.paused, MemberStatus.suspended)
                self.members.append(
                    _Member(
                        u["id"],
                        profile_id,
                        b,
                        status,
                        decided if worked else None,
                        frozenset(skills),
                        min(rng.paretovariate(1.2), 30),
                    )
                )
        self._pools()
        return users, staff_rows, residents, members

    def _pools(self) -> None:
        """Per branch and category: who has done such jobs, and who may take new ones."""
        by_branch: dict[int, list[_Member]] = defaultdict(list)
        for m in self.members:
            if m.decided is not None:
                by_branch[m.branch].append(m)
        self.pool_any, self.pool_fit = {}, {}
        for b in range(self.scale.branches):
            ever = by_branch[b]
            now_ = [m for m in ever if m.status == MemberStatus.approved]
            self.pool_any[b] = (_Pool(ever), _Pool(now_))
            for code, category in self.catalogue.categories.items():
                fits = category.skills
                self.pool_fit[b, code] = (
                    _Pool([m for m in ever if m.skills & fits]),
                    _Pool([m for m in now_ if m.skills & fits]),
                )

    def _member(self, b: int, category: str, at: float, *, open_: bool, avoid: int | None = None) -> _Member:
        which = 1 if open_ else 0
        if self.rng.random() < 0.85:
            m = self.pool_fit[b, category][which].choose(self.rng, at, avoid)
            if m is not None:
                return m
        m = self.pool_any[b][which].choose(self.rng, at, avoid)
        if m is None:
            raise ValueError(f"branch {self.branch_codes[b]} has no approved member to assign")
        return m

    # --- wishes ---

    def _submission_times(self) -> list[float]:
        rng, n = self.rng, self.scale.wishes
        span_days = int((self.now - self.span_start) / _DAY)
        first_midnight = (
            math.floor((self.span_start + _LOCAL.total_seconds()) / _DAY) * _DAY - _LOCAL.total_seconds()
        )
        hours = list(range(24))
        hour_cum = _cum(_HOUR_WEIGHTS)
        times = []
        while len(times) < n:
            day = int(rng.random() ** 0.85 * span_days)  # a little busier lately
            ts = first_midnight + day * _DAY + _pick(rng, hours, hour_cum) * _HOUR + rng.random() * _HOUR
            if self.span_start <= ts < self.now - 60:
                times.append(float(int(ts)))
        times.sort()
        return times

    def _statuses(self, times: list[float]) -> list[S]:
        rng = self.rng
        statuses = []
        finished = list(_FINISHED_MIX)
        finished_cum = _cum(_FINISHED_MIX.values())
        for ts in times:
            age = (self.now - ts) / _DAY
            status = None
            for max_age, chance, mix in _OPEN_BANDS:
                if age < max_age:
                    if rng.random() < chance:
                        status = _pick(rng, list(mix), _cum(mix.values()))
                    break
            if status is None:
                if age < 1:
                    status = rng.choice([S.rejected, S.cancelled])
                elif age < 8:
                    status = _pick(rng, [S.confirmed, S.rejected, S.cancelled], _cum([82, 10, 8]))
                else:
                    status = _pick(rng, finished, finished_cum)
            statuses.append(status)
        # Every open status appears at least once, even at the smallest scale.
        present = set(statuses)
        for want in sorted(OPEN_STATUSES - present, key=lambda st: _MIN_AGE[st]):
            for i in range(len(times) - 1, -1, -1):
                if statuses[i] not in OPEN_STATUSES and self.now - times[i] >= _MIN_AGE[want] + 60:
                    statuses[i] = want
                    break
        return statuses

    def _path(self, status: S) -> list[tuple]:
        """The moves that led a wish to `status`: (to, who, seconds after the last move, note)."""
        rng = self.rng
        steps: list[tuple] = [(S.submitted, "resident", 0.0, None)]
        if status == S.submitted:
            return steps
        triage = _lognormal(rng, 2 * _HOUR, 1.0, 300, 3 * _DAY)
        if status == S.rejected:
            reason = _pick(rng, self.rejections, self.rejection_cum)
            note = rng.choice(_REJECTION_NOTES) if rng.random() < 0.3 else None
            if rng.random() < 0.8:
                return [*steps, (S.rejected, "staff", triage, (reason, note))]
            steps.append((S.accepted, "staff", triage, None))
            return [*steps, (S.rejected, "staff", _lognormal(rng, _HOUR, 1, 120, _DAY), (reason, note))]
        if status == S.cancelled:
            stage = _pick(rng, [S.submitted, S.accepted, S.offered, S.posted], self.cancel_cum)
            if stage != S.submitted:
                steps += self._path(stage)[1:]
            note = rng.choice(_CANCEL_NOTES) if rng.random() < 0.5 else None
            return [*steps, (S.cancelled, "resident", _lognormal(rng, 6 * _HOUR, 1, 600, 3 * _DAY), note)]
        steps.append((S.accepted, "staff", triage, None))
        if status == S.accepted:
            return steps
        dispatch = _lognormal(rng, _HOUR, 1.0, 120, 2 * _DAY)
        wall = status == S.posted or (status != S.offered and rng.random() < 0.25)
        if wall:
            steps.append((S.posted, "staff", dispatch, None))
            if status == S.posted:
                return steps
            steps.append((S.assigned, "member", _lognormal(rng, 2 * _HOUR, 1.2, 60, 2 * _DAY), None))
        else:
            if rng.random() < 0.08:  # the first member declined, or let the offer expire
                steps.append((S.offered, "member2", dispatch, None))
                if rng.random() < 0.75:
                    steps.append(
                        (
                            S.accepted,
                            "member2",
                            _lognormal(rng, 3 * _HOUR, 1, 300, _DAY),
                            rng.choice(_DECLINE_REASONS),
                        )
                    )
                else:
                    steps.append((S.accepted, "system", _DAY + rng.uniform(0, 600), None))
                dispatch = _lognormal(rng, 30 * 60, 1, 60, 6 * _HOUR)
            steps.append((S.offered, "staff", dispatch, None))
            if status == S.offered:
                return steps
            steps.append((S.assigned, "member", _lognormal(rng, 40 * 60, 1.0, 60, _DAY), None))
        if status == S.assigned:
            return steps
        if status == S.in_progress or rng.random() < 0.6:
            steps.append((S.in_progress, "member", _lognormal(rng, 12 * _HOUR, 1, 1_800, 3 * _DAY), None))
            if status == S.in_progress:
                return steps
        steps.append((S.completed, "member", _lognormal(rng, 3 * _HOUR, 1, 1_800, 4 * _DAY), "done"))
        if status == S.completed:
            return steps
        if status == S.disputed or (status == S.closed and rng.random() < 0.1):
            steps.append(
                (
                    S.disputed,
                    "resident",
                    _lognormal(rng, 10 * _HOUR, 1, 3_600, 3 * _DAY),
                    rng.choice(_DISPUTE_NOTES),
                )
            )
            if status == S.disputed:
                return steps
            return [
                *steps,
                (
                    S.closed,
                    "staff",
                    _lognormal(rng, _DAY, 1, 3_600, 5 * _DAY),
                    rng.choice(_DISPUTE_CLOSE_NOTES),
                ),
            ]
        if status == S.closed:
            return [*steps, (S.closed, "system", RATING_WINDOW.total_seconds() + rng.uniform(0, _HOUR), None)]
        return [*steps, (S.confirmed, "resident", _lognormal(rng, 5 * _HOUR, 1.2, 300, 6.5 * _DAY), None)]

    def _timed(self, submitted: float, status: S) -> tuple[S, list[tuple]]:
        """The path with absolute times, squeezed so that every move lies before now."""
        steps = self._path(status)
        room = self.now - 30 - submitted
        total = sum(step[2] for step in steps)
        if total > room:
            if status == S.closed and steps[-1][1] == "system":
                return self._timed(submitted, S.confirmed)
            factor = room * 0.9 / total
        else:
            factor = 1.0
        out, t = [], submitted
        for i, (to, who, delta, note) in enumerate(steps):
            if i:
                t = max(t + 1, t + int(delta * factor))
            out.append((to, who, t, note))
        return status, out

    def _resident(self, b: int, at: float, open_: bool, open_count: dict[int, int]) -> int:
        ids, created, cum = self.residents[b]
        for attempt in range(30):
            i = bisect(cum, self.rng.random() * cum[-1]) if attempt < 20 else self.rng.randrange(len(ids))
            if created[i] < at and not (open_ and open_count[ids[i]] >= 3):
                return ids[i]
        for i in range(len(ids)):
            if created[i] < at and not (open_ and open_count[ids[i]] >= 3):
                return ids[i]
        raise ValueError(f"branch {self.branch_codes[b]} has no resident free to post a wish")

    def _wish(self, wid: int, b: int, seq: int, submitted: float, status: S, open_count) -> tuple:
        rng = self.rng
        status, steps = self._timed(submitted, status)
        open_ = status in OPEN_STATUSES
        resident = self._resident(b, submitted, open_, open_count)
        if open_:
            open_count[resident] += 1
        category = _pick(rng, self.categories, self.category_cum)
        staff = rng.choice(self.staff[b])
        bid = self.branch_ids[b]
        grid_id = self.resident_grid[resident]
        voice = rng.random() < 0.02
        window = _pick(rng, self.windows, self.window_cum)
        preferred = None
        if window == TimeWindow.on_date:
            local_day = date(1970, 1, 1) + timedelta(days=int((submitted + _LOCAL.total_seconds()) // _DAY))
            preferred = local_day + timedelta(days=rng.randint(1, 10))
        wish = {
            "id": wid,
            "number": f"{self.branch_codes[b]}-{seq:04d}",
            "branch_id": bid,
            "grid_id": grid_id,
            "resident_id": resident,
            "category": category,
            "text": "🎤" if voice else rng.choice(_WISH_TEXTS.get(category, _WISH_TEXTS["other"])),
            "photo_file_ids": [f"AgACAgUAAxk{rng.getrandbits(64):016x}"] if rng.random() < 0.1 else [],
            "voice_file_id": f"AwACAgUAAxk{rng.getrandbits(64):016x}" if voice else None,
            "time_window": window.value,
            "preferred_date": preferred,
            "priority": Priority.normal.value,
            "status": status.value,
            "assigned_member_id": None,
            "rejection_reason": None,
            "rejection_note": None,
            "completion_note": None,
            "completion_photo_file_id": None,
            "hours_spent": None,
            "submitted_at": _dt(submitted),
            "triaged_at": None,
            "assigned_at": None,
            "completed_at": None,
            "closed_at": None,
        }
        # Who does what: the member offered or assigned the job, and one who turned an offer down.
        member = decliner = None
        at = next(
            (t for to, who, t, _ in steps if to == S.assigned or (to == S.offered and who == "staff")), None
        )
        if at is not None:
            member = self._member(b, category, at, open_=open_)
        at = next((t for _, who, t, _ in steps if who == "member2"), None)
        if at is not None:
            decliner = self._member(b, category, at, open_=open_, avoid=member.user_id if member else None)
        actors = {
            "resident": resident,
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
            when = _dt(t)
            event_note = None
            if to == S.accepted and previous == S.submitted:
                wish["triaged_at"] = when
                wish["priority"] = _pick(rng, self.priorities, self.priority_cum).value
            elif to == S.rejected:
                reason, event_note = note
                wish.update(rejection_reason=reason, rejection_note=event_note, closed_at=when)
                event_note = event_note or reason
                if wish["triaged_at"] is None:
                    wish["triaged_at"] = when
            elif to == S.offered:
                offeree = actors["member2"] if who == "member2" else actors["member"]
                open_offer = {
                    "id": self._id(Offer),
                    "wish_id": wid,
                    "kind": OfferKind.direct.value,
                    "member_id": offeree,
                    "offered_by": staff,
                    "status": OfferStatus.open.value,
                    "decline_reason": None,
                    "created_at": when,
                    "answered_at": None,
                }
                offers.append(open_offer)
                who = "staff"
            elif to == S.posted:
                open_offer = {
                    "id": self._id(Offer),
                    "wish_id": wid,
                    "kind": OfferKind.wall.value,
                    "member_id": None,
                    "offered_by": staff,
                    "status": OfferStatus.open.value,
                    "decline_reason": None,
                    "created_at": when,
                    "answered_at": None,
                }
                offers.append(open_offer)
            elif to == S.accepted and previous == S.offered:
                expired = who == "system"
                open_offer.update(
                    status=(OfferStatus.expired if expired else OfferStatus.declined).value,
                    answered_at=when,
                    decline_reason=note,
                )
                event_note = note
                open_offer = None
            elif to == S.assigned:
                open_offer.update(
                    status=OfferStatus.taken.value, answered_at=when, member_id=actors["member"]
                )
                open_offer = None
                wish.update(assigned_member_id=actors["member"], assigned_at=when)
            elif to == S.completed:
                hours = rng.choice(_HOURS.get(category, _DEFAULT_HOURS))
                event_note = rng.choice(_COMPLETION_NOTES.get(category, _COMPLETION_NOTES["other"]))
                wish.update(
                    completion_note=event_note,
                    hours_spent=float(hours),
                    completed_at=when,
                    completion_photo_file_id=(
                        f"AgACAgUAAxk{rng.getrandbits(64):016x}" if rng.random() < 0.3 else None
                    ),
                )
            elif to == S.confirmed:
                score = _pick(rng, (5, 4, 3, 2, 1), self.score_cum)
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
                    "id": self._id(WishEvent),
                    "wish_id": wid,
                    "actor_id": actors[who],
                    "from_status": previous.value if previous else None,
                    "to_status": to.value,
                    "note": event_note,
                    "at": when,
                }
            )
            previous = to
        rating = None
        if score is not None:
            comment = rng.choice(_RATING_COMMENTS) if rng.random() < 0.35 else None
            rating = {
                "id": self._id(Rating),
                "wish_id": wid,
                "member_id": member.user_id,
                "score": score,
                "comment": comment,
                "created_at": wish["closed_at"],
            }
            member.tasks += 1
            member.hours += wish["hours_spent"]
            member.rating_sum += score
            member.rating_count += 1
        return wish, offers, events, rating

    async def _write_wishes(self, s: AsyncSession) -> None:
        times = self._submission_times()
        statuses = self._statuses(times)
        branch_cum = _cum(
            len(ids) * w for (ids, _, _), w in zip(self.residents, self.branch_weight, strict=True)
        )
        self.rejections = list(_REJECTION_WEIGHTS)
        self.rejection_cum = _cum(_REJECTION_WEIGHTS.values())
        self.cancel_cum = _cum([50, 30, 10, 10])
        self.windows = list(TimeWindow)
        self.window_cum = _cum([50, 25, 15, 10])
        self.priorities = [Priority.normal, Priority.low, Priority.urgent]
        self.priority_cum = _cum([80, 12, 8])
        self.score_cum = _cum([72, 20, 5, 2, 1])
        seq = [0] * self.scale.branches
        open_count: dict[int, int] = defaultdict(int)
        branches = list(range(self.scale.branches))
        wishes, offers, events, ratings = [], [], [], []

        async def flush() -> None:
            await _insert(s, Wish, wishes)
            await _insert(s, Offer, offers)
            await _insert(s, WishEvent, events)
            await _insert(s, Rating, ratings)
            for name, rows in (
                ("wishes", wishes),
                ("offers", offers),
                ("events", events),
                ("ratings", ratings),
            ):
                self.counts[name] += len(rows)
                rows.clear()

        for submitted, status in zip(times, statuses, strict=True):
            b = _pick(self.rng, branches, branch_cum)
            seq[b] += 1
            wish, offer_rows, event_rows, rating = self._wish(
                self._id(Wish), b, seq[b], submitted, status, open_count
            )
            self.counts["open_wishes"] += wish["status"] in OPEN_STATUSES
            wishes.append(wish)
            offers += offer_rows
            events += event_rows
            if rating:
                ratings.append(rating)
            if len(wishes) >= WISH_CHUNK:
                await flush()
        await flush()
        self.wish_seq = seq

    async def run(self) -> SeedSummary:
        started = time.perf_counter()
        await self._prepare()
        branches, grids = self._branches()
        users, staff, residents, members = self._people_rows()
        self.resident_grid = {r["user_id"]: r["grid_id"] for r in residents}
        async with self.db.write() as s:
            await _insert(s, Branch, branches)
            await _insert(s, Grid, grids)
            await _insert(s, User, users)
            await _insert(s, Staff, staff)
            await _insert(s, ResidentProfile, residents)
            await _insert(s, MemberProfile, members)
            await self._write_wishes(s)
            await self._finish(s)
        return SeedSummary(
            scale=self.scale_name,
            branches=len(branches),
            grids=len(grids),
            users=len(users),
            admins=1,
            staff=len(staff),
            residents=len(residents),
            members=len(members),
            wishes=self.counts["wishes"],
            open_wishes=self.counts["open_wishes"],
            offers=self.counts["offers"],
            events=self.counts["events"],
            ratings=self.counts["ratings"],
            seconds=round(time.perf_counter() - started, 2),
        )

    async def _finish(self, s: AsyncSession) -> None:
        """Member totals from their ratings, wish numbers per branch, and PostgreSQL sequences."""
        table = MemberProfile.__table__
        totals = [
            {
                "pid": m.profile_id,
                "tc": m.tasks,
                "ht": round(m.hours, 1),
                "rs": m.rating_sum,
                "rc": m.rating_count,
            }
            for m in self.members
            if m.tasks
        ]
        stmt = (
            update(table)
            .where(table.c.id == bindparam("pid"))
            .values(
                tasks_confirmed=bindparam("tc"),
                hours_total=bindparam("ht"),
                rating_sum=bindparam("rs"),
                rating_count=bindparam("rc"),
            )
        )
        for batch in _batches(totals):
            await s.execute(stmt, batch)
        branch = Branch.__table__
        await s.execute(
            update(branch).where(branch.c.id == bindparam("bid")).values(wish_seq=bindparam("seq")),
            [{"bid": bid, "seq": n} for bid, n in zip(self.branch_ids, self.wish_seq, strict=True)],
        )
        if not self.db.is_sqlite:
            quote = s.bind.dialect.identifier_preparer.quote
            for model in self.next_id:
                name = quote(model.__tablename__)
                await s.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"
                    )
                )


async def seed(
    db: Database, *, scale: str = "district", rng_seed: int = 1, now: datetime | None = None
) -> SeedSummary:
    """Fill a migrated database with `scale`'s branches, people and wishes, in one transaction.

    Meant for an empty database; ids continue after any rows already there, and a
    branch code that already exists stops it before anything is written.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose from {', '.join(SCALES)}")
    now = now or utcnow()
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return await _Seeder(db, scale, rng_seed, now).run()


async def open_wish_ids(
    db: Database, status: WishStatus = WishStatus.accepted, limit: int | None = None
) -> list[int]:
    """Ids of wishes in `status`, spread over branches: each branch's first, then each one's second..."""
    async with db.read() as s:
        rows = (
            await s.execute(select(Wish.id, Wish.branch_id).where(Wish.status == status).order_by(Wish.id))
        ).all()
    by_branch: dict[int, list[int]] = defaultdict(list)
    for wid, bid in rows:
        by_branch[bid].append(wid)
    spread, queues = [], list(by_branch.values())
    depth = 0
    while queues and (limit is None or len(spread) < limit):
        queues = [q for q in queues if len(q) > depth]
        spread += [q[depth] for q in queues]
        depth += 1
    return spread[:limit] if limit is not None else spread
