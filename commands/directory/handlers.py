"""Directory commands: /kto (and plain questions), /moje-dane, /edytuj, and their buttons."""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import TYPE_CHECKING

from commands.authz import IDENTITY_FIELDS, Act, Actor, may, person_target
from commands.context import Context, Reply
from commands.directory import freshness
from commands.directory.answers import ACTION_GMINA, ACTION_PAGE
from commands.directory.importer import EMAIL_PATTERN, PHONE_PATTERN
from commands.model import Button, ButtonStyle, ContactCard, OutboundMessage
from commands.registry import Action, Command, CommandRegistry
from commands.rodo import EXPORT_WORDS, export_my_data
from commands.texts import t
from store.directory import confirm_entry, touch_person
from store.identity import EmailTaken, change_email
from store.models import Gmina, Person, Role
from store.people import audit, grants_of, person_by_email

if TYPE_CHECKING:
    from commands.core import Services

ACTION_CONFIRM = "me.ok"

# Editable fields: every spelling people use → attribute and its limit.
FIELDS: dict[str, tuple[str, int]] = {
    "telefon": ("phone", 60), "phone": ("phone", 60), "tel": ("phone", 60),
    "stanowisko": ("position", 300), "position": ("position", 300),
    "preferowany_kontakt": ("preferred_contact", 200), "kontakt": ("preferred_contact", 200),
    "preferred_contact": ("preferred_contact", 200),
    "uwagi": ("notes", 2000), "notes": ("notes", 2000), "specjalizacja": ("notes", 2000),
    "jezyk": ("language", 5), "język": ("language", 5), "language": ("language", 5),
    "email": ("email", 254), "e_mail": ("email", 254),
}


async def who(ctx: Context, args: str) -> Reply:
    """/kto <topic> <gmina> — and every plain question in a private chat."""
    if not args.strip():
        return Reply.of(OutboundMessage(text=t(ctx.lang, "error.empty"), lang=ctx.lang))
    return Reply(await ctx.services.directory.ask(args, lang=ctx.lang))


async def who_page(ctx: Context, value: str) -> Reply:
    """A page or gmina-choice button of a directory answer."""
    return Reply.of(await ctx.services.directory.page(value, lang=ctx.lang), replace=True)


async def my_data(ctx: Context, args: str) -> Reply:
    """/moje-dane — show my entry; /moje-dane <field> <value> — correct it."""
    person = ctx.person
    if person is None:
        return Reply.of(OutboundMessage(text=t(ctx.lang, "me.not_in_directory"), lang=ctx.lang))
    if args.split(" ", 1)[0].lower() in EXPORT_WORDS:  # RODO: everything held about me
        return await export_my_data(ctx)
    if args:
        field_name, _, value = args.partition(" ")
        result = await _update_field(ctx, person, field_name, value.strip(), actor_is_self=True)
        if result is not None:
            return result
    return Reply.of(await _my_card(ctx, person))


async def _my_card(ctx: Context, person: Person) -> OutboundMessage:
    directory = ctx.services.directory
    index = await directory.index()
    gmina = index.gminy.get(person.gmina_id) if person.gmina_id else None
    card = ContactCard(
        name=person.name,
        gmina=gmina.name if gmina else person.organisation,
        position=person.position,
        topics=tuple(x.name(ctx.lang) for x in index.topics_of(int(person.id or 0))),
        email=person.email or "",
        phone=person.phone,
        preferred_contact=person.preferred_contact,
        notes=person.notes,
        confirmed_on=person.confirmed_on,
        stale=directory.answers.is_stale(person.confirmed_on, directory.today()),
    )
    return OutboundMessage(
        title=t(ctx.lang, "me.title"), cards=(card,), footer=t(ctx.lang, "me.hint"),
        buttons=(Button(t(ctx.lang, "me.confirm"), ACTION_CONFIRM, str(person.id),
                        ButtonStyle.PRIMARY),),
        lang=ctx.lang,
    )


async def confirm_my_data(ctx: Context, value: str) -> Reply:
    """The "my data is up to date" button; only the person themself may press it."""
    person = ctx.person
    if person is None or str(person.id) != value:
        return Reply(notice=t(ctx.lang, "error.stale_button"))
    today = ctx.services.directory.today()
    async with ctx.services.db.session() as session:
        if not await confirm_entry(session, int(value), today):  # value is person.id
            return Reply(notice=t(ctx.lang, "error.stale_button"))
        await session.commit()
    ctx.services.directory.invalidate()
    text = t(ctx.lang, "me.confirmed", date=today.isoformat())
    return Reply(messages=[OutboundMessage(text=text, lang=ctx.lang)], notice=text)


async def edit_entry(ctx: Context, args: str) -> Reply:
    """/edytuj <e-mail> <field> <value> — a coordinator corrects an entry of their gmina."""
    email, _, rest = args.partition(" ")
    field_name, _, value = rest.strip().partition(" ")
    if not email or not field_name:
        return Reply.of(OutboundMessage(text=t(ctx.lang, "edit.usage"), lang=ctx.lang))
    async with ctx.services.db.session() as session:
        person = await person_by_email(session, email)
    if person is None:
        return Reply.of(OutboundMessage(text=t(ctx.lang, "edit.unknown", email=email[:254]),
                                        lang=ctx.lang))
    async with ctx.services.db.session() as session:
        target = person_target(person.id, person.gmina_id,
                               await grants_of(session, int(person.id or 0)))
    if not ctx.may(Act.EDIT_ENTRY, target):  # one decision: commands/authz.py
        return Reply.of(OutboundMessage(text=t(ctx.lang, "edit.not_yours"), lang=ctx.lang))
    result = await _update_field(ctx, person, field_name, value.strip(), actor_is_self=False)
    return result or Reply.of(OutboundMessage(text=t(ctx.lang, "edit.usage"), lang=ctx.lang))


async def _update_field(
    ctx: Context, person: Person, field_name: str, value: str, *, actor_is_self: bool
) -> Reply | None:
    outcome = await edit_field(ctx.services, who=ctx.who, actor_label=ctx.actor,
                               person_id=int(person.id or 0), field_name=field_name,
                               value=value, actor_is_self=actor_is_self)
    if outcome.saved and outcome.attribute == "language" and actor_is_self:
        ctx.lang = value.lower()
    return Reply.of(OutboundMessage(text=t(ctx.lang, outcome.key, **outcome.values),
                                    lang=ctx.lang))


@dataclass(frozen=True, slots=True)
class EditOutcome:
    """What an edit of one field came to: the text that says so (``me.updated`` when it was
    saved) with its values, and the entry's attribute it named."""

    key: str
    values: dict[str, object] = dataclass_field(default_factory=dict)
    saved: bool = False
    attribute: str = ""


async def edit_field(
    services: Services, *, who: Actor, actor_label: str, person_id: int, field_name: str,
    value: str, actor_is_self: bool, audited: bool | None = None,
) -> EditOutcome:
    """Change one field of a directory entry, as /moje-dane and /edytuj do (the office panel
    too): validated, the e-mail for admins only, the entry confirmed today (a language is no
    confirmation), audited when someone else's entry (``audited`` overrides). The caller has
    decided that ``who`` may edit this entry (:data:`Act.EDIT_OWN` / :data:`Act.EDIT_ENTRY`)."""
    spec = FIELDS.get(field_name.lower().replace("-", "_"))
    if spec is None:
        return EditOutcome("me.bad_field", {"field": field_name[:40]})
    attribute, limit = spec
    problem = _invalid(attribute, value, limit)
    if problem and attribute == "phone":  # the rejected value, then a valid one
        return EditOutcome("demo.bad_phone", {"field": field_name[:40], "value": value[:60]},
                           attribute=attribute)
    if problem:
        return EditOutcome("me.bad_value", {"field": field_name[:40], "reason": problem},
                           attribute=attribute)
    if attribute in IDENTITY_FIELDS and not may(who, Act.EDIT_IDENTITY):
        # The e-mail links messengers: only admins (or an import) change it.
        return EditOutcome("sec.email_admin_only", attribute=attribute)
    async with services.db.session() as session:
        stored = await session.get(Person, person_id)
        if stored is None:
            return EditOutcome("me.not_in_directory", attribute=attribute)
        if attribute == "email":
            try:
                await change_email(session, stored, value, actor=actor_label)
            except EmailTaken:
                return EditOutcome("sec.email_taken", attribute=attribute)
        else:
            setattr(stored, attribute, value.lower() if attribute == "language" else value)
        if attribute != "language":  # a preference is no confirmation of the entry's data
            stored.confirmed_on = services.directory.today()
            stored.source = "self" if actor_is_self else "coordinator"
        await touch_person(session, stored)
        if (not actor_is_self) if audited is None else audited:
            gmina = await session.get(Gmina, stored.gmina_id) if stored.gmina_id else None
            await audit(session, actor=actor_label, action="directory.edit",
                        target=f"person:{stored.id}",
                        details={"field": attribute, "gmina": gmina.name if gmina else None})
        await session.commit()
    services.directory.invalidate()
    return EditOutcome("me.updated", {"field": field_name[:40], "value": value[:200]},
                       saved=True, attribute=attribute)


def _invalid(attribute: str, value: str, limit: int) -> str:
    if len(value) > limit:
        return f"max {limit}"
    if attribute == "phone" and value and not PHONE_PATTERN.match(value):
        return "+48 12 000 11 22"
    if attribute == "email" and not EMAIL_PATTERN.match(value):
        return "name@gmina.pl"
    if attribute == "language" and value.lower() not in ("pl", "en"):
        return "pl / en"
    if attribute in ("position",) and not value:
        return "—"
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", value):
        return "control characters"
    return ""


def register(registry: CommandRegistry) -> None:
    """Add the directory commands and buttons."""
    registry.add(Command(("kto", "who"), who, "cmd.who", "/kto <temat> <gmina>",
                         "/who <topic> <gmina>"))
    registry.add(Command(("moje-dane", "me"), my_data, "cmd.me",
                         "/moje-dane [pole wartość | eksport]", "/me [field value | export]"))
    registry.add(Command(("edytuj", "edit"), edit_entry, "cmd.edit",
                         "/edytuj <e-mail> <pole> <wartość>", "/edit <e-mail> <field> <value>",
                         roles=frozenset({Role.GMINA_COORDINATOR})))
    registry.add_action(Action(ACTION_PAGE, who_page))
    registry.add_action(Action(ACTION_GMINA, who_page))
    registry.add_action(Action(ACTION_CONFIRM, confirm_my_data))
    freshness.register(registry)  # the campaign's "Dane aktualne" / "Popraw"
