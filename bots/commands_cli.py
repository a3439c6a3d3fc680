"""What each ``lacznik`` sub-command does (argument parsing is in :mod:`bots.cli`)."""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlmodel import col

from adapters.console.adapter import ConsoleSession, run_console, stdin_lines
from commands.directory.gminy import candidate_line, refusal, resolve_gmina
from commands.directory.importer import ImportError_, export_rows, parse_rows, write_export
from commands.directory.index import GminaInfo
from store.db import saved_id
from store.directory import add_synonym, bump_version, ensure_topics
from store.models import (
    Conversation,
    Forum,
    Person,
    Role,
    RoleGrant,
    Topic,
)
from store.people import (
    audit,
    grant_role,
    issue_link_code,
    list_grants,
    person_by_email,
    revoke_role,
)

if TYPE_CHECKING:
    from bots.app import App


def _out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


async def _console_user(app: App, requested: str | None) -> str | None:
    """The e-mail the console speaks as: asked for, configured, or the first admin."""
    async with app.db.session() as session:
        if requested or app.config.console.user:
            person = await person_by_email(session, requested or app.config.console.user)
            return person.email if person else None
        row = await session.execute(
            select(col(Person.email)).join(RoleGrant, col(RoleGrant.person_id) == col(Person.id))
            .where(col(RoleGrant.role) == Role.ADMIN.value).order_by(col(Person.id)).limit(1)
        )
        email = row.scalar()
        if email is None:
            email = (await session.execute(
                select(col(Person.email)).order_by(col(Person.id)).limit(1))).scalar()
        return email


async def run(app: App, _args: argparse.Namespace) -> int:
    """``lacznik run``: the service, with the console in the foreground when interactive."""
    from bots.components import build_components
    from bots.service import Service

    service = Service(app, build_components(app))
    foreground = None
    if app.config.console.enabled and sys.stdin.isatty():
        async def console() -> None:
            user = await _console_user(app, None)
            if user is None:
                _out("The directory is empty: import one with `lacznik directory import`.\n")
                return
            _out(f"Łącznik — konsola (jako {user}). Zapytaj np. „kto od śmieci w Wieliczce?”; "
                 "/pomoc; Ctrl-D kończy.\n")
            await _console_reminders(app, user, reachable=True)
            try:
                await run_console(ConsoleSession(app.core, user), stdin_lines(), _out)
            finally:
                await _console_reminders(app, user, reachable=False)

        foreground = console
    await service.run(foreground)
    return 0


async def _console_reminders(app: App, email: str, *, reachable: bool) -> None:
    """While the console is open its user gets reminders and notices in it, like on a
    messenger: a console account with the console's private chat, reachable only then."""
    from adapters.console.messenger import ConsoleMessenger
    from commands.model import ConversationKind, ConversationRef, Platform
    from store.people import link_account, mark_account_unreachable

    async with app.db.session() as session:
        person = await person_by_email(session, email)
        if person is None:
            return
        if reachable:
            app.messengers[Platform.CONSOLE.value] = ConsoleMessenger(write=_out)
            ref = ConversationRef(Platform.CONSOLE, "console", ConversationKind.PERSONAL)
            await link_account(session, platform=Platform.CONSOLE.value, tenant_id="",
                               external_id=email, person_id=int(person.id or 0),
                               display_name=person.name, private_ref=ref.to_json())
        else:
            await mark_account_unreachable(session, platform=Platform.CONSOLE.value,
                                           tenant_id="", external_id=email,
                                           reason="console closed")
        await session.commit()


async def events(app: App, args: argparse.Namespace) -> int:
    """``lacznik events import|export``."""
    from commands.calendar.ics import IcsError, parse_ics
    from commands.calendar.importer import import_calendar
    from store.calendar import all_forums

    await app.prepare(with_sample=False)
    assert app.calendar is not None
    async with app.db.session() as session:
        forums = await all_forums(session)
    forum = None
    if args.forum:
        forum = next((f for f in forums if f.key.upper() == args.forum.upper()), None)
        if forum is None:
            known = ", ".join(f.key for f in forums) or "none"
            print(f"error: no forum {args.forum!r} (forums: {known})", file=sys.stderr)
            return 2
    if args.events_command == "export":
        name = f"Łącznik — {forum.name_pl}" if forum else "Łącznik"
        data = await app.calendar.feeds.export(
            forum_ids={int(forum.id or 0)} if forum else None, name=name)
        args.file.write_bytes(data)
        print(f"{args.file}: exported {data.count(b'BEGIN:VEVENT')} calendar entries")
        return 0
    path = args.file
    if not path.is_file():
        print(f"error: {path} does not exist", file=sys.stderr)
        return 2
    try:
        parsed = parse_ics(path.read_bytes(), forum_keys=[f.key for f in forums],
                           default_forum=forum.key if forum else None)
    except IcsError as exc:
        print(f"{path}: nothing imported: {exc}", file=sys.stderr)
        return 1
    summary = await import_calendar(app.calendar, parsed, actor="cli", source_name=path.name,
                                    dry_run=args.dry_run, strict=args.strict)
    problems = [f"  {p.what}: {p.reason}" for p in summary.skipped]
    if summary.refused:
        print(f"{path}: nothing imported (--strict): {len(problems)} part(s) cannot be "
              "imported:", file=sys.stderr)
        print("\n".join(problems), file=sys.stderr)
        return 1
    if problems and not (summary.added or summary.updated or summary.unchanged
                         or summary.cancelled):
        print(f"{path}: nothing imported: {len(problems)} part(s) cannot be imported:",
              file=sys.stderr)
        print("\n".join(problems), file=sys.stderr)
        return 1
    verb = "would import" if args.dry_run else "imported"
    print(f"{path}: {verb}: {len(summary.added)} new, {len(summary.updated)} updated, "
          f"{len(summary.unchanged)} unchanged, {len(summary.cancelled)} cancelled; "
          f"{len(summary.past)} already over (no reminders); change notices {summary.notices}")
    for label in summary.added + summary.updated:
        print(f"  {label}")
    if problems:
        rest = "would be imported" if args.dry_run else "was imported"
        print(f"skipped {len(problems)} (the rest {rest}):", file=sys.stderr)
        print("\n".join(problems), file=sys.stderr)
    for what, count in sorted(summary.ignored.items()):
        print(f"ignored: {count} × {what}", file=sys.stderr)
    return 0


async def chat(app: App, args: argparse.Namespace) -> int:
    """``lacznik chat``: the console without the service."""
    await app.prepare()
    user = await _console_user(app, args.as_user)
    if user is None:
        print(f"error: no person with e-mail {args.as_user!r} in the directory", file=sys.stderr)
        return 2
    if not args.jsonl:
        _out(f"Łącznik — konsola (jako {user}). /pomoc; Ctrl-D kończy.\n")
    await run_console(ConsoleSession(app.core, user), stdin_lines(), _out, jsonl=args.jsonl)
    return 0


async def db(app: App, _args: argparse.Namespace) -> int:
    """``lacznik db upgrade``."""
    await app.db.upgrade()
    print("database is up to date")
    return 0


async def directory(app: App, args: argparse.Namespace) -> int:
    """``lacznik directory import|export``."""
    await app.prepare(with_sample=False)
    if args.directory_command == "export":
        return await _export(app, args)
    path = args.file
    if not path.is_file():
        print(f"error: {path} does not exist", file=sys.stderr)
        return 2
    try:
        parsed = parse_rows(path)
    except ImportError_ as exc:
        parsed_errors = exc.errors
    else:
        parsed_errors = parsed.errors
    if parsed_errors:
        print(f"{path}: nothing imported, {len(parsed_errors)} problem(s) / nic nie "
              "zaimportowano:", file=sys.stderr)
        for error in parsed_errors[:200]:
            print(f"  {error}", file=sys.stderr)
        if len(parsed_errors) > 200:
            print(f"  … and {len(parsed_errors) - 200} more", file=sys.stderr)
        return 1
    from tqdm import tqdm

    with tqdm(total=len(parsed.rows), unit="row", disable=len(parsed.rows) < 2000,
              file=sys.stderr) as bar:
        async with app.db.session() as session:
            summary = await app.importer.apply(session, parsed, dry_run=args.dry_run,
                                               progress=bar.update,
                                               today=app.directory.today())
            if not args.dry_run:
                await audit(session, actor="cli", action="directory.import",
                            target=path.name, details={"rows": len(parsed.rows)})
                await session.commit()
    verb = "would change" if args.dry_run else "imported"
    print(
        f"{path}: {verb}: {len(parsed.rows)} rows; gminy added {summary.gminy_added}; people "
        f"added {summary.people_added}, updated {summary.people_updated}, unchanged "
        f"{summary.people_unchanged}; entries added {summary.entries_added}, removed "
        f"{summary.entries_removed}; new topics {len(summary.topics_added)}"
        + (f" ({', '.join(summary.topics_added[:10])})" if summary.topics_added else "")
    )
    from bots.cli_demo import cli_lang, removal_lines
    from commands.texts import t

    lang = cli_lang()
    for line in parsed.mobile_report.lines(lang):  # landlines: kept out of SMS, said so
        print(line)
    for line in removal_lines(lang, summary.demo_removed, dry_run=args.dry_run):
        print(line)
    if summary.demo_replaced:
        print(t(lang, "demo.replaced", count=summary.demo_replaced))
    return 0


async def _export(app: App, args: argparse.Namespace) -> int:
    async with app.db.session() as session:
        rows = await export_rows(session)
    write_export(args.file, rows, plain=getattr(args, "format", "excel") == "plain")
    print(f"{args.file}: exported {len(rows)} rows")
    return 0


async def roles(app: App, args: argparse.Namespace) -> int:
    """``lacznik roles grant|revoke|list``."""
    await app.prepare(with_sample=False)
    async with app.db.session() as session:
        if args.roles_command == "list":
            for holder, grant, scope in await list_grants(session):
                print(f"{holder.email or holder.name}\t{grant.role}\t{scope}")
            return 0
        person = await person_by_email(session, args.email)
        if person is None:
            print(f"error: no person with e-mail {args.email!r}", file=sys.stderr)
            return 2
        role = Role(args.role)
        forum_id = gmina_id = None
        if role == Role.FORUM_MODERATOR:
            if not args.forum:
                print("error: forum_moderator needs --forum NAME", file=sys.stderr)
                return 2
            forum = (await session.scalars(
                select(Forum).where(col(Forum.key) == args.forum.upper())
            )).first()
            if forum is None:
                print(f"error: no forum {args.forum!r}", file=sys.stderr)
                return 2
            forum_id = forum.id
        if role == Role.GMINA_COORDINATOR:
            gmina = None
            if args.gmina:
                gmina = await gmina_option(app, args.gmina)
                if gmina is None:
                    return 2
            gmina_id = gmina.id if gmina else person.gmina_id
            if gmina_id is None:
                print("error: gmina_coordinator needs --gmina NAME", file=sys.stderr)
                return 2
        change = grant_role if args.roles_command == "grant" else revoke_role
        changed = await change(session, saved_id(person), role, forum_id=forum_id,
                               gmina_id=gmina_id)
        await audit(session, actor="cli", action=f"role.{args.roles_command}",
                    target=f"person:{person.id}",
                    details={"role": role.value, "forum_id": forum_id, "gmina_id": gmina_id})
        await session.commit()
    done = {"grant": "granted", "revoke": "revoked"}[args.roles_command]
    # Name the gmina with its TERYT code: the admin sees which of two namesakes it was.
    scope = f" for {candidate_line(gmina, 'en')}" if role == Role.GMINA_COORDINATOR and gmina \
        else ""
    print(f"{args.email}: {role.value} {done}{scope}" if changed
          else f"{args.email}: nothing to change{scope}")
    return 0


async def gmina_option(app: App, text: str) -> GminaInfo | None:
    """The gmina a ``--gmina`` option names: any grammatical case, lower case, no Polish
    letters, or a TERYT code. None (after saying why, with every candidate's TERYT code for a
    shared name) when it names no single gmina of the directory."""
    resolution = resolve_gmina(text, await app.directory.index())
    if resolution.gmina is None:
        print(f"error: {refusal(resolution, 'en')}", file=sys.stderr)
    return resolution.gmina


async def link(app: App, args: argparse.Namespace) -> int:
    """``lacznik link PLATFORM EMAIL``: a one-time code (and a Telegram deep link)."""
    await app.prepare(with_sample=False)
    valid = timedelta(hours=app.config.linking.code_valid_hours)
    async with app.db.session() as session:
        person = await person_by_email(session, args.email)
        if person is None:
            print(f"error: no person with e-mail {args.email!r}", file=sys.stderr)
            return 2
        platform = "" if args.platform == "any" else args.platform
        code = await issue_link_code(session, saved_id(person), platform=platform,
                                     valid_for=valid, now=app.clock.now())
        await audit(session, actor="cli", action="link.issue", target=f"person:{person.id}",
                    details={"platform": args.platform})
        await session.commit()
    hours = app.config.linking.code_valid_hours
    print(f"code for {args.email} (valid {hours} h, once): {code}")
    print(f"the person sends to the bot: /start {code}")
    username = str(app.config.extra.get("telegram", {}).get("bot_username", ""))
    if args.platform in ("telegram", "any") and username:
        print(f"Telegram link: https://t.me/{username}?start={code}")
    return 0


async def topics(app: App, args: argparse.Namespace) -> int:
    """``lacznik topics list|add|synonym``: admins extend the thesaurus."""
    await app.prepare(with_sample=False)
    async with app.db.session() as session:
        if args.topics_command == "list":
            rows = await session.execute(
                select(col(Topic.key), col(Topic.name_pl), col(Topic.name_en))
                .order_by(col(Topic.key)))
            for key, name_pl, name_en in rows:
                print(f"{key}\t{name_pl}\t{name_en}")
            return 0
        if args.topics_command == "add":
            if not re.fullmatch(r"[a-z0-9_-]{2,80}", args.key):
                print("error: the key must be 2-80 characters a-z 0-9 _ -", file=sys.stderr)
                return 2
            known = await ensure_topics(session, [(args.key, args.name_pl, args.name_en)],
                                        builtin=False)
            await bump_version(session)
            await audit(session, actor="cli", action="topic.add", target=args.key)
            await session.commit()
            print(f"topic {args.key}: {args.name_pl} (id {known[args.key]})")
            return 0
        added = await add_synonym(session, args.key, args.phrase.strip()[:200],
                                  "en" if args.en else "pl")
        if not added:
            print(f"error: no topic {args.key!r} (see `lacznik topics list`)", file=sys.stderr)
            return 2
        await audit(session, actor="cli", action="topic.synonym", target=args.key,
                    details={"phrase": args.phrase})
        await session.commit()
    print(f"{args.key}: now also \"{args.phrase}\"")
    return 0


async def slack(app: App, args: argparse.Namespace) -> int:
    """``lacznik slack manifest``: the Slack app manifest from the configuration."""
    from adapters.slack import build_manifest

    section = app.config.extra.get("slack", {})
    manifest = build_manifest(section, public_url=args.public_url)
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"{args.output}: Slack app manifest written")
    else:
        sys.stdout.write(text)
    return 0


async def groups(app: App, args: argparse.Namespace) -> int:
    """``lacznik groups list|register|unregister``."""
    await app.prepare(with_sample=False)
    async with app.db.session() as session:
        if args.groups_command == "list":
            rows = (await session.execute(select(Conversation).order_by(
                col(Conversation.platform), col(Conversation.title)))).scalars()
            for row in rows:
                state = "registered" if row.registered else "not registered"
                active = "" if row.active else " (bot removed)"
                print(f"{row.conversation_key}\t{row.kind}\t{row.title or '-'}\t{state}{active}")
            return 0
        conversation = (await session.execute(select(Conversation).where(
            col(Conversation.conversation_key) == args.key))).scalars().first()
        if conversation is None:
            print(f"error: no group {args.key!r} (see `lacznik groups list`)", file=sys.stderr)
            return 2
        conversation.registered = args.groups_command == "register"
        session.add(conversation)
        await audit(session, actor="cli", action=f"group.{args.groups_command}",
                    target=args.key)
        await session.commit()
    print(f"{args.key}: {args.groups_command}ed")
    return 0


async def teams(app: App, args: argparse.Namespace) -> int:
    """``lacznik teams package``: the Teams app package from the configuration."""
    from adapters.teams import build_package

    path = build_package(app.config.extra.get("teams", {}), out=args.output,
                         registry=app.core.registry)
    print(f"{path}: Teams app package written (upload it in Teams or the admin centre)")
    return 0
