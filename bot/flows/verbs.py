"""Callback verbs shared between notification buttons and the flows that handle them."""

TAKE = "tk"  # a member takes an offer: wish id
DECLINE = "dc"  # a member declines an offer: wish id
START = "st"  # the member sets off: wish id
COMPLETE = "cp"  # the member reports it done: wish id
DROP = "dr"  # the member cannot finish: wish id
CLAIM = "cl"  # claim from the wall: wish id
RATE = "rt"  # the resident rates: wish id, stars
DISPUTE = "dp"  # the resident says it was not done: wish id
VIEW = "wv"  # show a wish to its resident or member: wish id
STAFF_VIEW = "sw"  # show a wish to staff, with contact and actions: wish id
ACCEPT = "ac"  # staff start accepting: wish id
REJECT = "rj"  # staff start rejecting: wish id
DISPATCH = "ds"  # staff see ranked members: wish id
APPROVE = "ma"  # staff approve a member: user id
DENY = "md"  # staff reject a member: user id
VISIT = "vs"  # staff record a follow-up visit (回访): follow-up id

# Verbs of buttons a flow shows and handles itself. Every verb lives here, so two flows cannot
# pick the same one by accident (tests/test_constants.py keeps them out of the flow modules).
BACK = "back"  # 返回 in a form
CANCEL = "cancel"  # 取消 in a form
LANGUAGE = "lang"  # choose the language: 0 Chinese, 1 English
REG_BRANCH, REG_GRID = "regbr", "reggrid"  # resident registration: branch id; grid id (0 unknown)
REG_NAME, REG_NO_UNIT = "regname", "regnounit"  # use the Telegram name; the building has no 单元
REG_CONFIRM, REG_EDIT = "regok", "regedit"  # the registration summary
JOIN_BRANCH, JOIN_GRID = "jbr", "jgrid"  # member registration: branch id; grid id (0 unknown)
JOIN_SKILL, JOIN_SLOT = "jsk", "jav"  # toggle a skill; an availability slot: option index
JOIN_SUBMIT, JOIN_EDIT = "jok", "jedit"  # the member registration summary
WISH_CATEGORY, WISH_TIME, WISH_DATE = "wcat", "wtime", "wdate"  # the wish form: index; index; ordinal
WISH_SUBMIT, WISH_EDIT = "wsubmit", "wedit"  # the wish form's summary
WISH_CANCEL, WISH_CANCEL_YES, WISH_CANCEL_NO = "wcx", "wcxy", "wcxn"  # a resident cancels: wish id
DECLINE_REASON, DROP_REASON = "dcr", "drr"  # the reason for declining; for dropping out: index
COMPLETE_HOURS, COMPLETE_NO_PHOTO = "cph", "cpskip"  # the completion form: hours index; no photo
RATE_NO_COMMENT = "rtskip"  # rate without a comment
DISPUTE_PLAIN, DISPUTE_CONFIRM = "dpplain", "dpok"  # dispute without a note; confirm the dispute
FORGET = "fg"  # /forgetme answered: 1 delete, 0 keep
REPORT_BRANCH, REPORT_UNIT, TOP_BRANCH = "ru", "rv", "rk"  # /report: branch; work unit; /top: branch
STATS, EXPORT = "rs", "rx"  # /stats and /export: branch id (or all)
QUEUE_NEXT, QUEUE_BRANCH = "qn", "qb"  # the triage queue: branch id, last wish id; branch id
TRIAGE_CATEGORY, TRIAGE_PRIORITY = "tc", "tp"  # accepting: wish id, category; + priority
TRIAGE_REASON, TRIAGE_BACK = "tr", "tb"  # rejecting: wish id, reason; back to the wish
OFFER, WALL = "do", "dw"  # dispatch to one member: wish id, member id; post to the wall: wish id
STAFF_CANCEL, STAFF_CANCEL_YES = "cx", "cxy"  # staff cancel a wish: wish id
WITHDRAW, STAFF_NOTE = "ww", "sn"  # take a wish off the wall; an action with a note: wish id, action
MEMBERS_BRANCH, SUSPEND, REINSTATE = "mb", "msu", "mre"  # /members: branch id; member user id
BROADCAST_BRANCH, BROADCAST_AUDIENCE = "bb", "ba"  # a broadcast: branch id; audience index
BROADCAST_SEND, BROADCAST_REFRESH = "bs", "br"  # send it; refresh its progress: broadcast id
NOTICE_BRANCH, NOTICE_POST, NOTICE_DROP = "np", "nc", "nx"  # /publish: branch; post it; drop it
