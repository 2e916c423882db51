"""One contact scrubber for free text that reaches people who may not see contacts.

Masks phone numbers, e-mail addresses, ID and account numbers, chat handles and house
numbers. The staff of the branch and the assigned member see the original text; everyone
else sees it through `scrub_contacts`.

The patterns run on a folded copy of the text of the same length, in which full-width forms
are ASCII and Chinese numerals are digits (十 and 百 become `T`, a digit only house numbers
use), so that `１３８…`, `一三八…` and `幺三八…` are one number. Dates, times and wish numbers
are blanked in that copy first, so no pattern can reach into them. The matches, merged, are
then replaced in the original text.
"""

import re
from collections.abc import Iterator

HIDDEN = "**"

_NUMERALS = {
    **dict.fromkeys("〇零○", "0"),
    **dict.fromkeys("一幺壹", "1"),
    **dict.fromkeys("二两贰", "2"),
    "三": "3", "叁": "3", "四": "4", "肆": "4", "五": "5", "伍": "5",
    "六": "6", "陆": "6", "七": "7", "柒": "7", "八": "8", "捌": "8", "九": "9", "玖": "9",
    **dict.fromkeys("十拾百佰", "T"),
}  # fmt: skip
_FOLD = str.maketrans(
    {
        **{chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)},  # full-width forms
        "\u3000": " ",
        "。": ".",
        **_NUMERALS,
    }
)
_BLANK = "_"  # what a protected span becomes in the folded copy: no digit, no separator

_SEP = r"[ \t\-–—.·]{1,3}"  # between the digits of one number: 138 1234 5678, 0571.8888.1234
_PLUS86 = r"(?:(?:[(]\s*)?(?:\+|00)\s*86\s*[)]?\s*-?\s*)"
_UNIT = (
    "元|块|角|毛|斤|公斤|千克|克|个|件|只|条|次|天|日|周|月|年|岁|分|小时"
    "|点|号|人|位|户|米|公里|%|折|倍|台|套|箱|包|瓶|袋"
)
_UNITS = rf"(?!\s*(?:{_UNIT}))"  # 2000-3000元 and 3-5天 are amounts, not numbers to hide

# Dates, times and wish numbers stay as typed.
_PROTECTED = [
    re.compile(
        r"(?<![0-9])(?:19|20)[0-9]{2}\s*[-./年]\s*(?:1[0-2]|0?[1-9])"
        r"(?:\s*[-./月]\s*(?:3[01]|[12][0-9]|0?[1-9])\s*[日号]?)?(?![0-9])"
    ),
    re.compile(r"(?<![0-9])(?:1[0-2]|0?[1-9])\s*月\s*(?:3[01]|[12][0-9]|0?[1-9])\s*[日号]"),
    re.compile(r"(?<![0-9])(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?(?![0-9])"),
    re.compile(r"(?<![A-Za-z])[A-Za-z]{1,4}-[0-9]{1,6}(?![0-9])"),  # A-0042, ZY-0012
]

_HOUSE_NO = r"(?:[0-9T]+|(?<![A-Za-z])[A-Za-z])"
_STRONG = r"(?:号楼|号院|号门|栋|幢|座|单元|室|房|#楼)"
_COMPONENT = rf"(?:{_HOUSE_NO}\s*{_STRONG}|[0-9]{{3,}}\s*[号户]|[0-9T]{{1,3}}\s*[楼层门号])"
_HOUSE = re.compile(rf"(?:{_COMPONENT}\s*[-,，]?\s*)+(?:[0-9]{{2,}}(?:\s*[号室房户])?)?")
_STRONG_RE = re.compile(_STRONG + r"|[0-9]{3,}\s*[号户]")
_NUMBER = re.compile(r"[0-9T]+")
_MEASURE_WORD = re.compile(r"^[一两]\s*[栋座室房]$")  # 一座桥, 两室一厅: not an address

_CONTACTS = [
    re.compile(r"[A-Za-z0-9._%+\-]+\s*@\s*[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"),  # e-mail
    re.compile(rf"(?<![0-9]){_PLUS86}?1(?:{_SEP})?[3-9](?:(?:{_SEP})?[0-9]){{9}}(?![0-9])"),  # mobile
    re.compile(  # landline with its area code, also (0755)1234 5678 and +86 10 12345678
        rf"(?<![0-9])(?:{_PLUS86}(?:[(]\s*)?0?|(?:[(]\s*)?0)[1-9][0-9]{{1,2}}\s*[)]?(?:{_SEP})?"
        rf"[0-9](?:(?:{_SEP})?[0-9]){{6,7}}(?![0-9])"
    ),
    re.compile(rf"(?<![0-9])[2-9][0-9]{{2,3}}(?:{_SEP})?[0-9]{{4}}(?![0-9]){_UNITS}"),  # 8888 1234
    re.compile(rf"(?<![0-9])[0-9](?:(?:{_SEP})?[0-9]){{16}}(?:{_SEP})?[0-9Xx](?![0-9])"),  # ID number
    re.compile(r"(?<![0-9])[0-9]{7,}(?![0-9])"),  # any other long number: a card, an account
    re.compile(r"(?<![0-9])[0-9](?:[ \t]{1,2}[0-9]){6,}(?![0-9])"),  # 7 or more spaced digits
    re.compile(r"(?<![0-9])[0-9]{3,4}(?:[ \t\-][0-9]{3,4}){2,}(?![0-9])"),  # 6222 0212 3456
    re.compile(  # 5-2-301, 3-502, 5#1201
        rf"(?<![0-9A-Za-z\-])[0-9]{{1,3}}\s*[-–—#]\s*(?:[0-9]{{1,3}}\s*[-–—#]\s*[0-9]{{1,4}}|[0-9]{{3,4}})"
        rf"(?![0-9]){_UNITS}"
    ),
]
_HANDLE = re.compile(
    r"(?:微信号?|[vV][xX]|[wW][xX]|[qQ]{2}号?)\s*[:：号]?\s*([A-Za-z0-9][A-Za-z0-9_\-]{4,19})"
)


def _fold(text: str) -> str:
    """The text with numerals as digits and dates, times and wish numbers blanked, same length."""
    folded = text.translate(_FOLD)
    for pattern in _PROTECTED:
        folded = pattern.sub(lambda m: _BLANK * len(m[0]), folded)
    return folded


def _spans(text: str, folded: str) -> Iterator[tuple[int, int]]:
    for pattern in _CONTACTS:
        yield from (m.span() for m in pattern.finditer(folded))
    yield from (m.span(1) for m in _HANDLE.finditer(folded))
    for m in _HOUSE.finditer(folded):
        start, end = m.span()
        while end > start and text[end - 1] in " \t-,，":  # the separator a chain may end on
            end -= 1
        # 3栋 or 502室 is an address; so are two parts (3楼302, 3号5楼); 一楼 and 3号 alone are not.
        strong = _STRONG_RE.search(folded, start, end) or len(_NUMBER.findall(folded, start, end)) >= 2
        if strong and not _MEASURE_WORD.match(text[start:end]):
            yield start, end


def scrub_contacts(text: str) -> str:
    """`text` with every phone number, e-mail address, ID number and house number masked."""
    if not text:
        return text
    folded = _fold(text)
    merged: list[list[int]] = []
    for start, end in sorted(_spans(text, folded)):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, last = [], 0
    for start, end in merged:
        out += [text[last:start], HIDDEN]
        last = end
    return "".join(out) + text[last:]
