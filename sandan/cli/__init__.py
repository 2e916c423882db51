"""The `sandan` command line."""

import asyncio
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.i18n import DEFAULT, t
from bot.texts import render_error
from sandan.bootstrap import bootstrap
from sandan.cli.db import db_app
from sandan.migrate import upgrade
from sandan.settings import ConfigError
from services.branches import (
    add_admin,
    add_branch,
    add_staff,
    branch_by_code,
    list_branches,
    set_auto_dispatch,
    set_notice_chat,
)
from services.errors import DomainError

app = typer.Typer(help="Sandan: 居民点单、支部下单、党员接单", no_args_is_help=True, add_completion=False)
branch_app = typer.Typer(help="Branches (支部).", no_args_is_help=True)
staff_app = typer.Typer(help="Branch staff.", no_args_is_help=True)
admin_app = typer.Typer(help="District admins.", no_args_is_help=True)
user_app = typer.Typer(help="Users: data rights.", no_args_is_help=True)
for sub, name in (
    (db_app, "db"),
    (branch_app, "branch"),
    (staff_app, "staff"),
    (admin_app, "admin"),
    (user_app, "user"),
):
    app.add_typer(sub, name=name)


def _run(work):
    """Bootstrap, run `work` against the app, return its result; report failures plainly."""
    try:
        the_app = bootstrap()
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None

    try:
        upgrade(the_app.db)
        return work(the_app)
    except DomainError as exc:
        typer.echo(render_error(DEFAULT, exc.key, exc.params), err=True)
        raise typer.Exit(1) from None
    finally:
        the_app.db.dispose()


@branch_app.command("add")
def branch_add(
    code: str,
    name: str,
    grid: Annotated[list[str] | None, typer.Option("--grid", "-g", help="A grid (网格); repeat it.")] = None,
) -> None:
    """Add a branch, e.g. `sandan branch add A 幸福社区 -g 一网格 -g 二网格`."""

    def go(a):
        with a.db.write() as s:
            branch = add_branch(s, code=code, name=name, grids=grid or [])
        typer.echo(f"Added branch {branch.code} {branch.name} with {len(grid or [])} grid(s).")

    _run(go)


@branch_app.command("auto-dispatch")
def branch_auto_dispatch(code: str, state: Annotated[str, typer.Argument(help="on or off")]) -> None:
    """Offer a branch's accepted wishes to the best-ranked member automatically (on), or not (off)."""
    if state not in ("on", "off"):
        raise typer.BadParameter("say on or off", param_hint="STATE")

    def go(a):
        with a.db.write() as s:
            branch = set_auto_dispatch(s, code=code, on=state == "on")
        typer.echo(f"Auto-dispatch for {branch.code} {branch.name}: {state}.")

    _run(go)


@branch_app.command("list")
def branch_list() -> None:
    """List branches with their grids and staff count."""

    def go(a):
        with a.db.read() as s:
            rows = list_branches(s)
        if not rows:
            typer.echo("No branches yet. Add one with `sandan branch add CODE NAME`.")
        for row in rows:
            typer.echo(f"{row.code}\t{row.name}\tstaff={row.staff}\tgrids={', '.join(row.grids) or '-'}")

    _run(go)


@branch_app.command("qr")
def branch_qr(
    code: str,
    out: Annotated[str | None, typer.Option("--out", "-o", help="PNG file to write.")] = None,
    bot: Annotated[
        str | None, typer.Option("--bot", help="Bot username; defaults to TELEGRAM_BOT_USERNAME.")
    ] = None,
    lang: Annotated[str, typer.Option(help="zh or en.")] = DEFAULT,
) -> None:
    """Write a QR-code poster for a branch's lobby; scanning it opens the bot for that branch."""
    from bot.poster import deep_link, render_poster

    def find(a):
        username = bot or a.settings.telegram_bot_username
        if not username:
            typer.echo("Give the bot's username with --bot or TELEGRAM_BOT_USERNAME.", err=True)
            raise typer.Exit(2)
        with a.db.read() as s:
            branch = branch_by_code(s, code)
        return branch, deep_link(username, branch.code)

    branch, link = _run(find)
    path = Path(out or f"sandan-{branch.code}-qr.png")
    path.write_bytes(render_poster(branch_name=branch.name, link=link, language=lang))
    typer.echo(f"Wrote {path} ({link}).")


@branch_app.command("notice")
def branch_notice(
    code: str,
    chat_id: Annotated[int | None, typer.Argument(help="Channel or group id, e.g. -1001234567890.")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Stop publishing notices for this branch.")] = False,
) -> None:
    """Set the channel or group a branch's public notices (公示) go to; add the bot there first."""

    if chat_id is None and not clear:
        typer.echo("Give the chat id (e.g. -1001234567890), or --clear.", err=True)
        raise typer.Exit(2)

    def go(a):
        with a.db.write() as s:
            branch = set_notice_chat(s, code=code, chat_id=None if clear else chat_id)
        where = branch.notice_chat_id if branch.notice_chat_id is not None else "nowhere (cleared)"
        typer.echo(f"Notices of {branch.code} {branch.name} go to {where}.")

    _run(go)


@staff_app.command("add")
def staff_add(telegram_id: int, branch: str) -> None:
    """Appoint a Telegram user as staff of a branch."""

    def go(a):
        with a.db.write() as s:
            add_staff(s, telegram_id=telegram_id, branch_code=branch)
        typer.echo(f"{telegram_id} is now staff of {branch.upper()}.")

    _run(go)


@admin_app.command("add")
def admin_add(telegram_id: int) -> None:
    """Make a Telegram user a district admin."""

    def go(a):
        with a.db.write() as s:
            add_admin(s, telegram_id=telegram_id)
        typer.echo(f"{telegram_id} is now an admin.")

    _run(go)


@user_app.command("forget")
def user_forget(telegram_id: int) -> None:
    """Forget a user on request, as /forgetme does: personal data erased, statistics kept."""
    from services.forgetting import forget_user, user_by_telegram_id

    def go(a):
        with a.db.write() as s:
            user = user_by_telegram_id(s, telegram_id=telegram_id)
            done = forget_user(s, actor_id=None, user_id=user.id)
        # Numbers and wish numbers only: this output may end up in a shell history or a log.
        typer.echo(
            f"Forgot user #{done.user_id}: roles removed: {', '.join(done.roles_removed) or '-'}; "
            f"wishes cancelled: {', '.join(done.cancelled) or '-'}; closed: {', '.join(done.closed) or '-'}; "
            f"offers returned: {', '.join(done.offers_returned) or '-'}; "
            f"tasks returned: {', '.join(done.tasks_returned) or '-'}; texts scrubbed: {done.texts_scrubbed}."
        )

    _run(go)


@app.command()
def seed(
    scale: str = typer.Option("district", help="district (100 branches) or small."),
    rng_seed: int = typer.Option(1, "--rng-seed", help="Random seed, for repeatable data."),
) -> None:
    """Fill the database with synthetic data of realistic shape."""
    from sandan.seed import SCALES
    from sandan.seed import seed as run_seed

    if scale not in SCALES:
        typer.echo(f"Unknown scale {scale!r}; choose from {', '.join(SCALES)}.", err=True)
        raise typer.Exit(2)

    def go(a):
        try:
            summary = run_seed(a.db, scale=scale, rng_seed=rng_seed)
        except ValueError as exc:  # e.g. the database was seeded already: nothing was written
            typer.echo(f"Not seeded: {exc}", err=True)
            raise typer.Exit(1) from None
        typer.echo(f"Seeded: {summary}")

    _run(go)


@app.command()
def run(
    webhook: Annotated[
        bool,
        typer.Option(
            "--webhook", help="Take updates from Telegram's posts (WEBHOOK_URL) instead of polling."
        ),
    ] = False,
) -> None:
    """Run the bot: poll Telegram (or TELEGRAM_API_BASE_URL) and deliver notifications."""
    from sandan.serve import serve, webhook_of

    try:
        the_app = bootstrap()
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    if the_app.settings.telegram_bot_token is None:
        typer.echo(t(DEFAULT, "run.no_token"), err=True)
        raise typer.Exit(1)
    hook = webhook_of(the_app.settings) if webhook else None
    if isinstance(hook, list):
        typer.echo(t(DEFAULT, "run.webhook_settings", missing=", ".join(hook)), err=True)
        raise typer.Exit(2)
    asyncio.run(serve(the_app, webhook=hook))


@app.command()
def demo(lang: str = typer.Option(DEFAULT, help="zh or en.")) -> None:
    """Play a whole story through the real bot against a fake Telegram on 127.0.0.1."""
    from sandan.demo import run_demo

    asyncio.run(run_demo(lang))


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        sys.exit(2)
