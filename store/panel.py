"""Sign-in links and sessions of the office panel.

Secrets (link tokens, session cookies) are random and only their SHA-256 is kept here (a link
sent to a messenger also sits in that message's outbox row until it expires). Using a
link is one ``UPDATE … WHERE used_at IS NULL AND expires_at > now RETURNING``: two browsers
opening the same link at once cannot both sign in. Repositories never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from store.db import affected_rows
from store.panel_models import PanelLink, PanelSession


def digest(secret: str) -> str:
    """The stored form of a link token or session cookie."""
    return hashlib.sha256(secret.encode()).hexdigest()


async def issue_link(session: AsyncSession, person_id: int, *, now: datetime,
                     valid_for: timedelta) -> str:
    """A new one-time sign-in token for ``person_id`` (only its hash is kept)."""
    now = _utc(now)
    token = secrets.token_urlsafe(32)
    session.add(PanelLink(token_hash=digest(token), person_id=person_id, created_at=now,
                          expires_at=now + valid_for))
    await session.flush()
    return token


async def use_link(session: AsyncSession, token: str, *, now: datetime) -> int | None:
    """The person a valid, unused, unexpired token signs in; the token is used up."""
    now = _utc(now)
    if not token or len(token) > 100:
        return None
    result = await session.execute(
        update(PanelLink)
        .where(col(PanelLink.token_hash) == digest(token), col(PanelLink.used_at).is_(None),
               col(PanelLink.expires_at) > now)
        .values(used_at=now)
        .returning(col(PanelLink.person_id)))
    row = result.first()
    return int(row[0]) if row else None


async def link_owner(session: AsyncSession, token: str, *, now: datetime) -> int | None:
    """Whom a still usable token would sign in (without using it up)."""
    now = _utc(now)
    if not token or len(token) > 100:
        return None
    row = await session.get(PanelLink, digest(token))
    if row is None or row.used_at is not None or _aware(row.expires_at, now) <= now:
        return None
    return row.person_id


@dataclass(frozen=True, slots=True)
class NewSession:
    """A session just opened: the cookie value (shown once) and its CSRF token."""

    cookie: str
    csrf: str
    session_id: int


async def open_session(session: AsyncSession, person_id: int, *, now: datetime,
                       lasts: timedelta, via: str, agent: str) -> NewSession:
    """Open a session for ``person_id`` that ends at ``now + lasts`` at the latest."""
    now = _utc(now)
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    row = PanelSession(token_hash=digest(cookie), person_id=person_id, csrf=csrf, via=via,
                       agent=agent[:200], created_at=now, last_seen_at=now,
                       expires_at=now + lasts)
    session.add(row)
    await session.flush()
    assert row.id is not None  # flushed
    return NewSession(cookie=cookie, csrf=csrf, session_id=row.id)


async def live_session(session: AsyncSession, cookie: str, *, now: datetime,
                       idle: timedelta) -> PanelSession | None:
    """The session behind ``cookie`` if it is neither ended, expired nor idle too long."""
    now = _utc(now)
    if not cookie or len(cookie) > 100:
        return None
    row = (await session.exec(select(PanelSession).where(
        col(PanelSession.token_hash) == digest(cookie)))).first()
    if row is None or row.ended_at is not None:
        return None
    if _aware(row.expires_at, now) <= now or _aware(row.last_seen_at, now) + idle <= now:
        return None
    return row


async def touch(session: AsyncSession, session_id: int, *, now: datetime) -> None:
    """Note activity (the caller writes this at most once a minute per session)."""
    now = _utc(now)
    await session.execute(update(PanelSession).where(col(PanelSession.id) == session_id)
                          .values(last_seen_at=now))


async def end_session(session: AsyncSession, session_id: int, *, person_id: int,
                      now: datetime) -> bool:
    """End one of ``person_id``'s sessions; False if it is not theirs or already ended."""
    now = _utc(now)
    result = await session.execute(
        update(PanelSession)
        .where(col(PanelSession.id) == session_id, col(PanelSession.person_id) == person_id,
               col(PanelSession.ended_at).is_(None))
        .values(ended_at=now))
    return affected_rows(result) > 0


async def end_sessions_of(session: AsyncSession, person_id: int, *, now: datetime,
                          keep: int | None = None) -> int:
    """End every open session of ``person_id`` (but ``keep``); returns how many."""
    now = _utc(now)
    query = update(PanelSession).where(col(PanelSession.person_id) == person_id,
                                       col(PanelSession.ended_at).is_(None))
    if keep is not None:
        query = query.where(col(PanelSession.id) != keep)
    return affected_rows(await session.execute(query.values(ended_at=now)))


async def sessions_of(session: AsyncSession, person_id: int, *, now: datetime,
                      idle: timedelta) -> list[PanelSession]:
    """``person_id``'s sessions still open (newest first)."""
    now = _utc(now)
    rows = (await session.exec(
        select(PanelSession).where(col(PanelSession.person_id) == person_id,
                                   col(PanelSession.ended_at).is_(None),
                                   col(PanelSession.expires_at) > now)
        .order_by(col(PanelSession.last_seen_at).desc()))).all()
    return [row for row in rows if _aware(row.last_seen_at, now) + idle > now]


async def forget_before(session: AsyncSession, moment: datetime) -> int:
    """Drop links and sessions that ended or expired before ``moment`` (retention)."""
    moment = _utc(moment)
    from sqlalchemy import delete, or_

    links = await session.execute(delete(PanelLink).where(col(PanelLink.expires_at) < moment))
    sessions = await session.execute(delete(PanelSession).where(or_(
        col(PanelSession.expires_at) < moment, col(PanelSession.ended_at) < moment)))
    return affected_rows(links) + affected_rows(sessions)


def _aware(moment: datetime, like: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were stored as UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _utc(moment: datetime) -> datetime:
    # SQLite compares stored text: every time written or compared here is UTC.
    return moment.astimezone(UTC)


async def links_since(session: AsyncSession, person_id: int, moment: datetime) -> int:
    """How many sign-in links ``person_id`` was given since ``moment``."""
    from sqlalchemy import func

    result = await session.execute(
        select(func.count()).select_from(PanelLink).where(
            col(PanelLink.person_id) == person_id, col(PanelLink.created_at) >= _utc(moment)))
    return int(result.scalar_one())
