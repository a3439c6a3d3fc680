"""The SMS channel in the running service: its pages and its sender, as one component.

``build_sms_component(app, section)`` is what the composition root calls with the raw
``[sms]`` table (validated here, so a wrong value stops the start-up naming its key).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from adapters.sms.ack_pages import Acknowledger, SmsPagesComponent
from adapters.sms.config import SmsConfig, parse_config
from adapters.sms.messenger import SMS, SmsMessenger
from store.db import Database

if TYPE_CHECKING:
    from adapters.hosting import Host


class SmsComponent:
    """Serves the acknowledgement link and SMSAPI's delivery reports (``routes``) and holds
    the messenger the delivery worker sends the texts through. Stopping waits for the texts
    in flight and frees the sender's threads: the component is not started again after."""

    name = "sms"

    def __init__(self, config: SmsConfig, *, db: Database, announcements: Acknowledger) -> None:
        self.config = config
        self.messenger = SmsMessenger(config)
        self.pages = SmsPagesComponent(config, db=db, announcements=announcements)

    def routes(self) -> list[web.RouteDef]:
        """``/a/{token}`` and ``/sms/reports/{key}``."""
        return self.pages.routes()

    async def start(self) -> None:
        """Nothing to connect: each text is one HTTP request of the provider's client."""

    async def stop(self) -> None:
        """Wait for the texts being sent, then free the threads."""
        await self.messenger.close()


def build_sms_component(app: Host, section: dict[str, Any]) -> SmsComponent:
    """The SMS component from the raw ``[sms]`` table; its sender is registered as messenger
    ``"sms"`` for the delivery worker (which sends the SMS rows the announcements plan)."""
    component = SmsComponent(parse_config(section), db=app.db,
                             announcements=app.core.services.announcements)
    app.messengers[SMS] = component.messenger
    return component
