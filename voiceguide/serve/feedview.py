"""The program feed as `voiceguide serve` hands it out: the file on disk, edited, never regenerated.

Two edits on the parsed XML, so everything else (GUIDs, dates, namespaces,
whatever `voiceguide program` writes) reaches the podcast app as written:

- every URL under the manifest's base URL is moved under the base the client
  used (a phone that reached http://192.168.1.20:8765/ gets enclosures there);
  a <guid> is an identity, not a link, and is never touched; the rest of each
  URL (a `?v=` content tag) is kept as written;
- items not yet released (dated after today) are left out, so a program arrives
  one day at a time.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any, cast
from urllib.parse import unquote

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

# A Host header as a client sends it: a name, IPv4 or [IPv6] literal, and a port.
HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?")


def client_base(host: str | None, fallback: str) -> str:
    """http://HOST/ for the Host header the client sent; `fallback` when there is none or it is not a host."""
    if host and HOST.fullmatch(host):
        return f"http://{host}/"
    return fallback


class FeedError(ValueError):
    """The feed file is not an RSS document voiceguide could have written."""


def served_feed(data: bytes, old_base: str, new_base: str, keep: Callable[[ET.Element], bool]) -> bytes:
    """The feed with `old_base` moved to `new_base` and only the items `keep` accepts."""
    prefixes: dict[str, str] = {}
    try:
        events = iterparse(io.BytesIO(data), events=("start-ns",), forbid_dtd=True)
        for _, (prefix, uri) in events:
            prefixes.setdefault(prefix, uri)
        root: ET.Element | None = cast(Any, events).root  # set once parsed; not in the type stubs
    except ET.ParseError as exc:
        raise FeedError(f"not well-formed XML ({exc})") from None
    except DefusedXmlException as exc:  # a DTD or entities: voiceguide writes neither
        raise FeedError(f"refused ({type(exc).__name__})") from None
    channel = root.find("channel") if root is not None else None
    if root is None or root.tag != "rss" or channel is None:
        raise FeedError("not an RSS 2.0 document")
    for item in channel.findall("item"):
        if not keep(item):
            channel.remove(item)
    if old_base and old_base != new_base:
        _rebase(root, old_base, new_base)
    for prefix, uri in prefixes.items():
        if prefix and not re.fullmatch(r"ns\d+", prefix):
            ET.register_namespace(prefix, uri)  # keep itunes:, podcast:, ... as written
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def _rebase(root: ET.Element, old: str, new: str) -> None:
    for element in root.iter():
        if element.tag == "guid":
            continue
        for name, value in element.attrib.items():
            if value.startswith(old):
                element.set(name, new + value[len(old) :])
        text = element.text
        if text and text.strip().startswith(old):
            lead = text[: len(text) - len(text.lstrip())]
            element.text = lead + new + text.lstrip()[len(old) :]


def item_audio(item: ET.Element, base: str) -> str | None:
    """The file name an item's enclosure points at, relative to `base`.

    A query or fragment (a `?v=` content tag that makes apps fetch new audio
    under the same GUID) is not part of the name, and the name is unquoted
    as feed.url quoted it.
    """
    enclosure = item.find("enclosure")
    url = enclosure.get("url") if enclosure is not None else None
    if url and base and url.startswith(base):
        return unquote(re.split(r"[?#]", url[len(base) :], maxsplit=1)[0])
    return None


def item_guid(item: ET.Element) -> str | None:
    guid = item.find("guid")
    return (guid.text or "").strip() or None if guid is not None else None
