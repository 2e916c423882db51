"""Chinese names, nicknames, mobile numbers, Telegram ids and work units for seeded people.

Names follow Faker's zh_CN tables (its surname frequencies and given names), drawn
with the seeder's one random generator.
"""

import random

from faker.providers.person.zh_CN import Provider as ZhNames

from models import User
from sandan.seed.draw import as_datetime, cumulative, pick
from sandan.seed.ids import Ids

WORK_UNITS = [
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
MALE_MIDDLE = "建志国文俊海晓春永德明家子宇浩振立小伟金"
FEMALE_MIDDLE = "秀桂玉丽晓春美淑雅欣佳思雨红海小慧凤"
NICKNAMES = [
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
PHONE_PREFIXES = {
    130: 4, 131: 4, 132: 4, 133: 3, 135: 6, 136: 6, 137: 6, 138: 8, 139: 8,
    150: 4, 151: 4, 152: 3, 153: 3, 155: 3, 156: 3, 157: 2, 158: 4, 159: 4,
    166: 1, 170: 1, 173: 1, 176: 2, 177: 2, 178: 1,
    180: 3, 181: 3, 182: 3, 183: 3, 185: 3, 186: 4, 187: 4, 188: 3, 189: 4,
    191: 1, 198: 1, 199: 2,
}  # fmt: skip


class Identities:
    """Names, phones and Telegram ids, all unique, all from one seeded generator."""

    def __init__(self, rng: random.Random, ids: Ids, taken_telegram_ids: set[int]) -> None:
        self.rng = rng
        self.ids = ids
        self.surnames = list(ZhNames.last_names)
        self.surname_cum = cumulative(ZhNames.last_names.values())
        self.male = list(ZhNames.first_names_male)
        self.female = list(ZhNames.first_names_female)
        self.prefixes = list(PHONE_PREFIXES)
        self.prefix_cum = cumulative(PHONE_PREFIXES.values())
        self.phones: set[str] = set()
        self.telegram_ids = set(taken_telegram_ids)
        self.female_last = False

    def user(self, created: float, *, is_admin: bool = False) -> dict:
        """A User row, created at timestamp `created`."""
        name = self.name()
        return {
            "id": self.ids.next(User),
            "telegram_id": self.telegram_id(),
            "display_name": self.display_name(name),
            "name": name,
            "phone": self.phone(),
            "language": "en" if self.rng.random() < 0.01 else "zh",
            "is_admin": is_admin,
            "unreachable": self.rng.random() < 0.005,
            "created_at": as_datetime(created),
        }

    def name(self) -> str:
        rng = self.rng
        surname = pick(rng, self.surnames, self.surname_cum)
        female = self.female_last = rng.random() < 0.5
        given = rng.choice(self.female if female else self.male)
        if len(given) == 1 and rng.random() < 0.7:
            middle = rng.choice(FEMALE_MIDDLE if female else MALE_MIDDLE)
            if middle != given:
                given = middle + given
        return surname + given

    def display_name(self, name: str) -> str:
        """What a user calls themselves on Telegram: the name, a nickname, or 老王 / 王老师."""
        roll = self.rng.random()
        if roll < 0.6:
            return name
        if roll < 0.8:
            return self.rng.choice(NICKNAMES)
        if roll < 0.9:
            return f"老{name[0]}" if self.rng.random() < 0.5 else f"小{name[-1]}"
        titles = ["阿姨", "老师", "大姐"] if self.female_last else ["师傅", "老师", "大哥"]
        return name[0] + self.rng.choice(titles)

    def phone(self) -> str:
        while True:
            prefix = pick(self.rng, self.prefixes, self.prefix_cum)
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
