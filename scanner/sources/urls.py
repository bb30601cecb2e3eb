"""URLs written in an input's strings: the http(s) addresses with a plausible host name."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

_URL = re.compile(r"https?://[^\s\"'<>()\[\]{}\\^`|，。；、“”‘’《》（）]+", re.IGNORECASE)
_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")


@dataclass(frozen=True)
class Url:
    url: str
    scheme: str
    host: str
    path: str


def find_urls(text: str) -> Iterator[Url]:
    """http(s) URLs with a plausible host name (templates such as http://%s/ are skipped)."""
    for match in _URL.finditer(text):
        raw = match.group(0).rstrip(".,;:!?")
        try:
            parts = urlsplit(raw)
            host = (parts.hostname or "").lower()
        except ValueError:
            continue
        if _HOST.match(host):
            yield Url(raw, parts.scheme.lower(), host, parts.path or "/")

