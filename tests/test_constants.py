"""Button verbs, reminder kinds and notification keys are named constants, each defined in one place.

The layers agree on these codes; a literal typed inline elsewhere drifts from its twin unseen.
"""

import ast
import re
from pathlib import Path

from bot.flows import verbs
from services.note_keys import NoteKey
from services.sweeps.kinds import ReminderKind

ROOT = Path(__file__).resolve().parent.parent
VERBS = ROOT / "bot" / "flows" / "verbs.py"
NOTE_KEYS = ROOT / "services" / "note_keys.py"
KINDS = ROOT / "services" / "sweeps" / "kinds.py"
NOTE_KEY = re.compile(r"^(resident|member|staff|admin|broadcast)\.[a-z_]+$")
VERB_NAMES = {name for name in vars(verbs) if name.isupper()}


def _is_verb_param(name: str) -> bool:
    return name in ("verb", "verbs") or name.endswith("_verb")


def _sources(folder: str, *, leave_out: Path) -> dict[str, str]:
    return {
        str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
        for p in (ROOT / folder).rglob("*.py")
        if p != leave_out and "migrations" not in p.parts
    }


def _signature(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[set[int], bool, set[str]] | None:
    """Where a function takes a verb: its positions, whether its *args are verbs, its keywords."""
    params = [a.arg for a in fn.args.posonlyargs + fn.args.args]
    if params[:1] == ["self"]:  # called on an instance: ctx.button(key, verb)
        params = params[1:]
    positions = {i for i, name in enumerate(params) if _is_verb_param(name)}
    star = fn.args.vararg is not None and _is_verb_param(fn.args.vararg.arg)
    keywords = {a.arg for a in fn.args.args + fn.args.kwonlyargs if _is_verb_param(a.arg)}
    return (positions, star, keywords) if positions or star or keywords else None


def _verb_takers(trees: dict[str, ast.Module]) -> dict[str, list]:
    """Functions and methods that take a verb, by name: (class or None, signature)."""
    takers: dict[str, list] = {}
    for tree in trees.values():
        methods = {}
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            methods |= {id(fn): cls.name for fn in cls.body}
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) and (sig := _signature(fn)):
                takers.setdefault(fn.name, []).append((methods.get(id(fn)), sig))
    return takers


def _signatures_for(call: ast.Call, takers: dict[str, list]) -> list:
    """The verb-taking signatures a call may reach: methods by their receiver's name (router.button,
    ctx.button, self.deps.codec.encode), plain functions by name; str.encode and the like reach none."""
    if isinstance(call.func, ast.Name):
        return [sig for cls, sig in takers.get(call.func.id, []) if cls is None]
    if not isinstance(call.func, ast.Attribute):
        return []
    receiver = call.func.value
    name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
    return [
        sig for cls, sig in takers.get(call.func.attr, []) if cls and name and name.lower() in cls.lower()
    ]


def _verb_constants(tree: ast.Module, imported: dict[str, set[str]]) -> set[str]:
    """Module-level names that hold a verb from bot/flows/verbs.py (imported, or bound to verbs.X)."""
    names = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "bot.flows.verbs":
            names |= {a.asname or a.name for a in node.names if a.name in VERB_NAMES}
        elif isinstance(node, ast.ImportFrom) and node.module in imported:
            names |= {a.asname or a.name for a in node.names if a.name in imported[node.module]}
        elif isinstance(node, ast.Assign) and all(_from_verbs(e, set()) for e in _elements(node.value)):
            names |= {t.id for target in node.targets for t in _elements(target) if isinstance(t, ast.Name)}
    return names


def _elements(node: ast.expr) -> list[ast.expr]:
    return list(node.elts) if isinstance(node, ast.Tuple) else [node]


def _from_verbs(node: ast.expr, constants: set[str]) -> bool:
    if isinstance(node, ast.Attribute):
        return isinstance(node.value, ast.Name) and node.value.id == "verbs" and node.attr in VERB_NAMES
    return isinstance(node, ast.Name) and (node.id in constants or _is_verb_param(node.id))


def inline_verbs(sources: dict[str, str]) -> list[tuple[str, int, str]]:
    """Every verb given to a button, a codec or a verb-taking helper that is not a verbs.py name."""
    trees = {path: ast.parse(text) for path, text in sources.items()}
    takers = _verb_takers(trees)
    module_of = {path.removesuffix(".py").replace("/", "."): path for path in trees}
    constants: dict[str, set[str]] = {}
    for _ in range(3):  # names re-exported by one flow module to another, a few hops deep
        by_module = {m: constants.get(p, set()) for m, p in module_of.items()}
        constants = {p: _verb_constants(tree, by_module) for p, tree in trees.items()}
    found = []
    for path, tree in trees.items():
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            given = []
            for positions, star, keywords in _signatures_for(call, takers):
                given += [a for i, a in enumerate(call.args) if star or i in positions]
                given += [k.value for k in call.keywords if k.arg in keywords]
            found += [
                (path, arg.lineno, ast.unparse(arg)) for arg in given if not _from_verbs(arg, constants[path])
            ]
    return found


def test_every_button_verb_is_a_name_from_the_verbs_module():
    sources = _sources("bot", leave_out=VERBS)
    assert inline_verbs(sources) == []


def test_the_verb_scan_catches_literals_f_strings_and_local_constants():
    bad = {
        "bot/flows/x.py": (
            "from bot.flows import verbs\n"
            'LOCAL = "zz"\n'
            "class Ctx:\n    def button(self, key, verb, *ids): ...\n"
            'ctx.button("k", "dcr", 1)\n'
            'router.button(f"{p}br")\n'
            "ctx.button('k', LOCAL)\n"
            "ctx.button('k', verbs.TAKE)\n"
        ),
        "bot/flows/router.py": "class Router:\n    def button(self, *verbs): ...\n",
    }
    assert [line for _, line, _ in inline_verbs(bad)] == [5, 6, 7]


def test_every_verb_is_distinct():
    values = [getattr(verbs, name) for name in VERB_NAMES]
    assert len(values) == len(set(values))


def inline_kinds(sources: dict[str, str]) -> list[tuple[str, int, str]]:
    """Reminder kinds typed inline: any literal kind in the sweeps, or compared with SentReminder.kind."""
    kinds = {k.value for k in ReminderKind}
    found = []
    for path, text in sources.items():
        for node in ast.walk(ast.parse(text)):
            literal = isinstance(node, ast.Constant) and node.value in kinds
            if literal and "/sweeps/" in path:
                found.append((path, node.lineno, node.value))
            elif isinstance(node, ast.Compare) and "SentReminder.kind" in ast.unparse(node):
                sides = [node.left, *node.comparators]
                found += [(path, node.lineno, s.value) for s in sides if isinstance(s, ast.Constant)]
    return found


def test_reminder_kinds_are_named_where_reminders_are_recorded():
    sources = _sources("services", leave_out=KINDS)
    assert inline_kinds(sources) == []
    bad = {
        "services/sweeps/x.py": 'due = Due(1, "wall", 1, ())\n',
        "services/y.py": 'q = select(SentReminder).where(SentReminder.kind == "rate")\n',
    }
    assert inline_kinds(bad) == [("services/sweeps/x.py", 1, "wall"), ("services/y.py", 1, "rate")]


def inline_note_keys(sources: dict[str, str]) -> list[tuple[str, int, str]]:
    keys = {k.value for k in NoteKey}
    found = []
    for path, text in sources.items():
        for node in ast.walk(ast.parse(text)):
            text_constant = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if text_constant and (node.value in keys or NOTE_KEY.match(node.value)):
                found.append((path, node.lineno, node.value))
    return found


def test_notification_keys_are_named_where_notes_are_queued_and_rendered():
    sources = {}
    for folder in ("services", "bot", "sandan"):
        sources |= _sources(folder, leave_out=NOTE_KEYS)
    assert inline_note_keys(sources) == []
    bad = {"services/x.py": 'Note(1, "staff.cancelled", {}, 2)\n'}
    assert inline_note_keys(bad) == [("services/x.py", 1, "staff.cancelled")]
