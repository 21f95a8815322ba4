"""The program folder's feed and calendar, both rendered from its manifest.

`feed_xml` writes RSS 2.0 with the iTunes and Podcasting 2.0 namespaces with
the standard library's ElementTree: feedgen knows RSS and iTunes but not
podcast:chapters or podcast:transcript (it would need an extension class of
our own), and it stamps lastBuildDate with the time of the run, so an
unchanged program would still get a changed feed. `calendar_ics` uses the
icalendar library. Both are pure: the same manifest gives the same bytes.
"""

from __future__ import annotations

import datetime
import email.utils
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
LANGUAGE = "en"  # a manifest without "lang" (written before programs had languages)
CATEGORY = "Health & Fitness"
AUTHOR = "voiceguide"
VERSION_TAG = 12  # hex digits of the content hash in an enclosure URL's ?v=

ET.register_namespace("itunes", ITUNES)
ET.register_namespace("podcast", PODCAST)
ET.register_namespace("atom", ATOM)

Manifest = Mapping[str, Any]


def url(base_url: str, name: str) -> str:
    return base_url.rstrip("/") + "/" + quote(name)


def enclosure_url(base_url: str, episode: Mapping[str, Any]) -> str:
    """The episode's URL with a content tag: new audio under the same GUID gets a new URL.

    Podcast apps key an episode on its GUID, which stays for the life of the folder
    (docs/program-folder.md); some fetch the audio again only when the enclosure URL
    changes. The tag is the start of the episode's content hash: a server ignores
    the query and serves the file.
    """
    tag = str(episode.get("hash") or "")[:VERSION_TAG]
    return url(base_url, episode["audio"]) + (f"?v={tag}" if tag.isalnum() else "")


def published(date: str, at: str) -> datetime.datetime:
    """The day's date at `at` (HH:MM) in this machine's local time zone, with its offset that day."""
    hour, minute = (int(x) for x in at.split(":"))
    naive = datetime.datetime.combine(datetime.date.fromisoformat(date), datetime.time(hour, minute))
    return naive.astimezone()  # a naive datetime is taken as local time: DST-aware offset


def duration(seconds: float) -> str:
    """itunes:duration as HH:MM:SS, rounded to the nearest second."""
    whole = int(seconds + 0.5)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = text
    return element


def language_of(manifest: Manifest) -> str:
    """The program's language (voiceguide/language.py), as the manifest keeps it: "de"."""
    lang = manifest.get("lang")
    return lang if isinstance(lang, str) and lang.isalpha() and len(lang) <= 8 else LANGUAGE


def feed_xml(manifest: Manifest) -> str:
    """RSS 2.0 + iTunes + Podcasting 2.0: one item per episode listed in the manifest."""
    base = manifest["base_url"]
    lang = language_of(manifest)
    author = manifest.get("author") or AUTHOR
    rss = ET.Element("rss", {"version": "2.0"})
    channel = _sub(rss, "channel")
    _sub(channel, "title", manifest["title"])
    _sub(channel, "link", base)
    _sub(channel, "description", manifest["description"] or manifest["title"])
    _sub(channel, "language", lang)
    _sub(channel, "generator", manifest["generator"])
    _sub(channel, f"{{{ATOM}}}link", href=url(base, "feed.xml"), rel="self", type="application/rss+xml")
    _sub(channel, f"{{{ITUNES}}}author", author)
    _sub(channel, f"{{{ITUNES}}}summary", manifest["description"] or manifest["title"])
    _sub(channel, f"{{{ITUNES}}}image", href=url(base, "cover.png"))
    _sub(channel, f"{{{ITUNES}}}category", text=CATEGORY)
    _sub(channel, f"{{{ITUNES}}}explicit", "false")
    _sub(channel, f"{{{ITUNES}}}type", "episodic")
    image = _sub(channel, "image")
    _sub(image, "url", url(base, "cover.png"))
    _sub(image, "title", manifest["title"])
    _sub(image, "link", base)
    for episode in manifest["episodes"]:
        item = _sub(channel, "item")
        _sub(item, "title", episode["title"])
        _sub(item, "description", episode.get("description") or episode["title"])
        _sub(item, f"{{{ITUNES}}}summary", episode.get("description") or episode["title"])
        _sub(item, "enclosure", url=enclosure_url(base, episode), length=str(episode["bytes"]), type="audio/mpeg")
        _sub(item, "guid", episode["guid"], isPermaLink="false")
        _sub(item, "pubDate", email.utils.format_datetime(published(episode["date"], manifest["at"])))
        _sub(item, f"{{{ITUNES}}}duration", duration(episode["seconds"]))
        _sub(item, f"{{{ITUNES}}}episode", str(episode["day"]))
        _sub(item, f"{{{ITUNES}}}episodeType", "full")
        _sub(item, f"{{{PODCAST}}}chapters", url=url(base, episode["chapters"]), type="application/json+chapters")
        transcript = url(base, episode["transcript"])
        _sub(item, f"{{{PODCAST}}}transcript", url=transcript, type="text/vtt", language=lang)
    ET.indent(rss)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(rss, encoding="unicode") + "\n"


def calendar_ics(manifest: Manifest, days: list[Mapping[str, Any]]) -> bytes:
    """One event per session day at the manifest's time, naming the day's episode, with a reminder.

    `days`: every day of the plan ({"day", "date", "title", "seconds"}), built or not yet.
    """
    import icalendar

    said = {"language": language_of(manifest)}  # RFC 5545's LANGUAGE parameter, on every text
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//voiceguide//{manifest['generator']}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", manifest["title"], parameters=said)
    # DTSTAMP must be there; the start date (not the time of the run) keeps the file stable across reruns.
    stamp = datetime.datetime.combine(
        datetime.date.fromisoformat(manifest["start"]), datetime.time(), datetime.timezone.utc
    )
    for day in days:
        start = published(day["date"], manifest["at"]).astimezone(datetime.timezone.utc)
        event = icalendar.Event()
        event.add("uid", f"day-{day['day']:02d}-{manifest['start']}@{_uid_host(manifest)}")
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + datetime.timedelta(seconds=max(60, round(day["seconds"]))))
        event.add("summary", day["title"], parameters=said)
        described = f"{day.get('description', '')}\n{url(manifest['base_url'], day['audio'])}".strip()
        event.add("description", described, parameters=said)
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", day["title"], parameters=said)
        alarm.add("trigger", datetime.timedelta(0))
        event.add_component(alarm)
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data


def _uid_host(manifest: Manifest) -> str:
    """The program's GUID slug (a manifest from before slugs: its program as typed), as a host name."""
    name = "".join(
        c if c.isalnum() or c in "-." else "-" for c in str(manifest.get("slug") or manifest["program"]).lower()
    )
    return f"{name.strip('-') or 'program'}.voiceguide"
