"""The daily e-mail job: the digest of normal announcements (only with ``[email] digest =
true``) and the invitation reminders that are due (never new invitations: those are an
admin's ``lacznik invite``). Run it once a day, in the morning."""

from __future__ import annotations

import logging

from commands.invitations.campaign import InvitationCampaign
from commands.invitations.digest import DailyDigest
from store.invitations import Scope

log = logging.getLogger(__name__)


class DailyEmailJob:
    """One run a day; either part may be absent (no ``[email]``: the job is not scheduled)."""

    def __init__(self, *, digest: DailyDigest | None, campaign: InvitationCampaign | None
                 ) -> None:
        self._digest = digest
        self._campaign = campaign

    async def run_once(self) -> None:
        """Send the day's digests, then the due reminders; logs counts, never addresses."""
        if self._digest is not None:
            done = await self._digest.run()
            log.info("daily digest: %d sent, %d failed", done.sent, done.failed)
        if self._campaign is not None:
            result = await self._campaign.run(Scope(everyone=True), reminders_only=True)
            log.info("invitation reminders: %d sent, %d to retry, %d refused",
                     result.reminded, result.retry, len(result.failed))
