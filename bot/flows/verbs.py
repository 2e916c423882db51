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
