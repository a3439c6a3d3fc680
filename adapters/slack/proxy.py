"""Which HTTP proxy a Slack call uses.

slack_sdk reads ``HTTPS_PROXY`` itself but ignores ``NO_PROXY``; this module decides instead
and the adapter sets the result on every client: the configured proxy, else the environment's
unless ``NO_PROXY`` (or a loopback address, e.g. a local sandbox) exempts the host.
"""

from __future__ import annotations

import urllib.request
from urllib.parse import urlsplit

from adapters.net import is_loopback


def proxy_for(url: str, configured: str = "") -> str | None:
    """The proxy URL for requests to ``url``, or None to connect directly."""
    if configured:
        return configured
    parts = urlsplit(url)
    host = parts.hostname or ""
    # public in CPython, missing from typeshed's stubs:
    bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]  # no stub
    if is_loopback(host) or bypass(host):
        return None
    proxies = urllib.request.getproxies_environment()
    scheme = "https" if parts.scheme in ("https", "wss") else "http"
    return proxies.get(scheme) or proxies.get("https") or proxies.get("http") or None
