"""scrub_contacts: every common spelling of a phone, e-mail, ID or house number is masked, and
dates, times, amounts, quantities, wish numbers and ages stay as typed."""

import re

import pytest

from services.scrubbing import HIDDEN, scrub_contacts

# Any digit, full-width digit or Chinese numeral: none of the number may be left behind.
NUMERAL = re.compile(r"[0-9０-９〇○零一幺二两三四五六七八九十百壹贰叁肆伍陆柒捌玖拾]")

MASKED = [
    # mobile numbers
    "电话13812345678",
    "电话 138 1234 5678",
    "电话138-1234-5678",
    "电话138.1234.5678",
    "电话+8613812345678",
    "电话 +86 138 1234 5678",
    "电话+86-138-1234-5678",
    "电话0086 13812345678",
    "电话（+86）13812345678",
    "电话１３８１２３４５６７８",
    "电话１３８ １２３４ ５６７８",
    "电话一三八一二三四五六七八",
    "电话幺三八幺二三四五六七八",
    "电话 一 三 八 一 二 三 四 五 六 七 八",
    "电话 1 3 8 1 2 3 4 5 6 7 8",
    "电话138一二三四5678",
    "打我手机壹叁捌壹贰叁肆伍陆柒捌",
    "手机13812345678，谢谢",
    "tel13812345678abc",
    # landlines
    "座机010-12345678",
    "座机(0755)1234 5678",
    "座机（0755）12345678",
    "座机0571.8888.1234",
    "座机0571-88886666",
    "座机 021 6234 5678",
    "座机+86 10 12345678",
    "座机88881234",
    "座机8888-1234",
    "座机零五七一八八八八六六六六",
    # e-mail, ID and account numbers, chat handles
    "邮箱wang.xiuying@example.com",
    "邮箱 abc_de+tag@qq.com 联系",
    "邮箱ｗａｎｇ＠ｑｑ．ｃｏｍ",
    "身份证11010519491231002X",
    "身份证110105194912310021",
    "身份证 110105 19491231 002x",
    "银行卡6222 0212 3456 7890",
    "微信号 wxid_abc123",
    "加我QQ：987654",
    # house numbers
    "住3栋2单元502",
    "住三栋二单元五零二",
    "住5-2-301",
    "住3号楼502室",
    "住12幢3单元1101",
    "住B座1203",
    "住502房",
    "住十二号楼五单元",
    "住3-502",
    "住5#1201",
    "住3栋",
    "住二单元",
    "住1101号",
    "住3号楼2门501",
    "住3楼302",
    "住３栋２单元５０２室",
    "住叁栋贰单元伍零贰",
    "住 3 栋 2 单元 502 室",
    "住二十栋",
]

UNTOUCHED = [
    "2026-12-03上午来",
    "12月3日来",
    "12月3号来",
    "2026年12月3日来",
    "2026.12.03来",
    "2026/12/03来",
    "二〇二六年十二月三日来",
    "10月1日-10月7日",
    "请在2026年12月3日下午3点前来，带¥120.50",
    "14:30到",
    "下午3点到",
    "周六上午9:00–12:00",
    "9:00-17:30之间都行",
    "50元",
    "¥120.50",
    "3斤大米",
    "2个灯泡",
    "来三次",
    "心愿A-0042",
    "心愿ZY-0012",
    "80岁老人",
    "两个人",
    "一楼大厅",
    "帮我把米搬上二楼",
    "两室一厅",
    "门前有一座桥",
    "预算100-200元",
    "大约2000-3000元",
    "3-5天",
    "等了2小时",
    "一五一十地说",
    "本周六上午9点在社区广场义诊",
    "周六 <b>停水</b> 9:00–12:00 & 请提前储水",
    "第2次",
    "需要10个口罩",
    "厨房水管漏水",
]


@pytest.mark.parametrize("typed", MASKED)
def test_every_spelling_of_a_contact_or_house_number_is_masked_with_no_digit_left(typed):
    clean = scrub_contacts(typed)
    assert HIDDEN in clean, clean
    assert not NUMERAL.search(clean), clean
    assert "@" not in clean and "＠" not in clean and "wxid" not in clean, clean


def test_the_table_has_at_least_forty_spellings():
    assert len(MASKED) >= 40


@pytest.mark.parametrize("typed", UNTOUCHED)
def test_dates_times_amounts_quantities_wish_numbers_and_ages_stay_as_typed(typed):
    assert scrub_contacts(typed) == typed


def test_only_the_contact_is_masked_and_the_rest_of_the_sentence_stays():
    typed = "王阿姨80岁，12月3日14:30来，住3栋2单元502，电话138 1234 5678，带2个灯泡（50元）"
    assert scrub_contacts(typed) == "王阿姨80岁，12月3日14:30来，住**，电话**，带2个灯泡（50元）"


def test_a_phone_next_to_a_date_is_masked_and_the_date_kept():
    assert scrub_contacts("2026-12-03 13812345678") == "2026-12-03 **"


def test_empty_text_stays_empty():
    assert scrub_contacts("") == ""
