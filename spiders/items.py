"""What the spider hands to the capture pipeline besides the raw exchanges (those are written by
`pipelines.CaptureMiddleware` as they pass)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FetchError:
    """A request that produced no usable response: DNS, refused, timeout, too large, robots, loop."""

    company: str
    url: str
    error: str


@dataclass(frozen=True)
class ApkLink:
    """A link to an Android package seen on a page (recorded whether or not it is downloaded)."""

    company: str
    url: str
    source_url: str
    label: str


@dataclass(frozen=True)
class ApkFile:
    """A downloaded Android package, saved as OUT/captures/apps/<sha256>.apk."""

    company: str
    url: str
    final_url: str
    body: bytes
