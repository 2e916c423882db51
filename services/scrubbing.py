"""One contact scrubber for free text that reaches people who may not see contacts.

Masks phone numbers, e-mail addresses, ID numbers and house numbers. The staff of the branch
and the assigned member see the original text; everyone else sees it through `scrub_contacts`.
"""

import re

HIDDEN = "**"
_CN_DIGITS = "一二三四五六七八九十百零〇两"
_PATTERNS = [
    re.compile(r"(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}"),  # mobile numbers, also 138 1234 5678
    re.compile(r"0\d{2,3}[\s-]?\d{7,8}"),  # landlines
    re.compile(r"\d+(?:\s*[-－—#]\s*\d+)+"),  # 3-2-502, 5#301
    re.compile(rf"[\d{_CN_DIGITS}]+\s*(?:号楼|号院|栋|幢|单元|室|号|楼|层|户)"),  # 3栋 2单元 502室
]


def scrub_contacts(text: str) -> str:
    """`text` with every phone number, e-mail address, ID number and house number masked."""
    for pattern in _PATTERNS:
        text = pattern.sub(HIDDEN, text)
    return text
