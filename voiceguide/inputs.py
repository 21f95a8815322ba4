"""Values people type, checked: a base URL, a start date, a time of day, a name to create, a tag's text.

Plain functions raising InputError ("--base-url: ..."), so the library calls
them (voiceguide/programs/folder.py, voiceguide/programs/plan.py) and the
command line's parameter types only call them (voiceguide/cli/optiontypes.py):
one line and exit status 2 before anything is written. Each check returns the
value normalized, and is idempotent: a normalized value passes unchanged.
"""

from __future__ import annotations

import datetime
import ipaddress
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from voiceguide.atomic import NAME_MAX
from voiceguide.errors import InputError

# Years a program may start in: every date of its plan (at most 99 session days with six rest
# days a week, under two years) and the times in its feed and calendar stay representable.
START_LIMITS = (datetime.date(2000, 1, 1), datetime.date(2099, 12, 31))
MAX_URL_CHARS = 1000  # the base URL is repeated in every enclosure, chapters and transcript link
PATH_MAX = 4096  # bytes in a path (Linux); each of its names at most NAME_MAX

_URL_EXAMPLE = "such as https://example.org/stretch/"
# Characters a URL path holds as they are (RFC 3986 pchar, "/" and "%" escapes); others are escaped.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_LABEL = re.compile(r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?")
MAX_TEXT_CHARS = 500  # a tag given on the command line

Refuse = Callable[..., InputError]


def _hostile(text: str) -> str | None:
    """The first control, format (bidi, zero-width) or space character of `text`, described; None if none."""
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zs", "Zl", "Zp"):
            kind = "a space" if unicodedata.category(ch).startswith("Z") else "a control character"
            return f"{kind} (U+{ord(ch):04X})"
    return None


def check_base_url(text: str) -> str:
    """The base URL of a program folder, normalized: http(s), a host, no query or fragment, ending in "/".

    The feed appends file names to it (voiceguide/feed.py), so anything after the
    path (a query or a fragment) would make every enclosure the same URL or a broken one.
    """

    def refuse(why: str, do: str = f"give the address the folder is served at, {_URL_EXAMPLE}") -> InputError:
        shown = text if len(text) <= 80 else text[:77] + "..."
        return InputError(f"--base-url: {shown!r} {why}; {do}")

    url = text.strip()
    if not url:
        raise refuse("is empty")
    if len(url) > MAX_URL_CHARS:
        raise refuse(f"is {len(url)} characters long", f"give one of at most {MAX_URL_CHARS}")
    bad = _hostile(url)
    if bad:
        raise refuse(f"contains {bad}", "write a space as %20" if "space" in bad else "leave it out")
    m = re.fullmatch(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/?#]*)(?P<path>[^?#]*)(?P<rest>.*)", url)
    if not m or m["scheme"].lower() not in ("http", "https"):
        raise refuse("is not an http or https URL", f"give one {_URL_EXAMPLE}")
    if m["rest"]:
        raise refuse(
            f"has a {'query' if m['rest'].startswith('?') else 'fragment'} ({m['rest'][:1]}...)",
            "give it without '?' or '#': the feed adds each file's name after the URL's path",
        )
    if "@" in m["authority"]:
        raise refuse("has a user name or password", "give it without them: the feed is read by whoever fetches it")
    host, port = _host_and_port(m["authority"], refuse)
    return f"{m['scheme'].lower()}://{host}{port}{_path(m['path'], refuse)}"


def _host_and_port(authority: str, refuse: Refuse) -> tuple[str, str]:
    """The host (lower case, IDNA for a non-ASCII name) and ":PORT" or ""."""
    m = re.fullmatch(r"(?P<host>\[[^\]]*\]|[^:\[\]]*)(:(?P<port>.*))?", authority)
    if not m:
        raise refuse("has an unbalanced '[' or ']'", "write an IPv6 address in brackets, such as http://[::1]:8765/")
    host, port = m["host"], m["port"] or ""
    if port and not (re.fullmatch(r"[0-9]{1,5}", port) and 1 <= int(port) <= 65535):
        raise refuse(f"has port {port!r}", "give a port from 1 to 65535, or none")
    port = f":{int(port)}" if port else ""
    if not host:
        raise refuse("has no host name")
    if "%" in host:  # an IPv6 zone names an interface of one machine, not an address a phone can use
        raise refuse(f"has {host}, an address with a zone (%)", "give the address without it, or a host name")
    if host.startswith("[") or re.fullmatch(r"[0-9.]+", host):
        try:
            address = ipaddress.ip_address(host.strip("[]") if host.startswith("[") else host)
        except ValueError:
            raise refuse(f"has {host!r}, which is not an IP address", "give one such as 192.168.1.20") from None
        if host.startswith("[") != (address.version == 6):
            raise refuse(f"has {host!r}", "write an IPv6 address in brackets, such as http://[::1]:8765/")
        if address.is_unspecified:
            raise refuse(
                f"has {host}, where a server listens, not an address to fetch from",
                "give this machine's LAN address or name",
            )
        return (f"[{address.compressed}]" if address.version == 6 else address.compressed), port
    try:
        name = host.lower().encode("idna").decode("ascii")
    except UnicodeError:
        name = ""
    labels = name.removesuffix(".").split(".")
    if not name or len(name) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise refuse(f"has {host!r}, which is not a host name", "give a name such as example.org, or an address")
    return name, port


def _path(path: str, refuse: Refuse) -> str:
    """The path, percent-escaped where a URL needs it, ending in "/"."""
    if "\\" in path:  # browsers read it as "/", a podcast app may escape it: two different URLs
        raise refuse("has a backslash", "separate its folders with '/'")
    if re.search(r"%(?![0-9A-Fa-f]{2})", path):
        raise refuse("has a '%' that starts no escape", "write a percent sign as %25")
    from urllib.parse import quote, unquote

    # Clients resolve "." and ".." away, so the files would be fetched from another folder than the one named.
    if any(unquote(part) in (".", "..") for part in path.split("/")):
        raise refuse("has a '.' or '..' folder", "give the folder's own path, without '.' or '..'")

    return quote(path, safe=_PATH_SAFE).rstrip("/") + "/"


def parse_at(text: str) -> str:
    """A time of day, HH:MM in ASCII digits (a Unicode digit would reach the manifest as typed)."""
    m = re.fullmatch(r"([0-9]{1,2}):([0-9]{2})", text.strip())
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise InputError(f"--at: {text!r} is not a time of day; give HH:MM, such as 07:00")
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def check_start(date: datetime.date) -> datetime.date:
    """A program's first day, within START_LIMITS."""
    low, high = START_LIMITS
    if not low <= date <= high:
        raise InputError(f"--start: {date.isoformat()} is not between {low} and {high}; give a date in that range")
    return date


def parse_start(text: str) -> datetime.date:
    m = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", text.strip())
    try:
        if not m:
            raise ValueError
        date = datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise InputError(f"--start: {text!r} is not a date; give YYYY-MM-DD, such as 2026-05-01") from None
    return check_start(date)


def check_name(value: str, what: str, *, creating: bool) -> str:
    """A path given on the command line: not empty; a name being created fits the file system and is printable."""
    if not value:
        raise InputError(f"{what}: is empty; give a name")
    shown = value if len(value) <= 60 else value[:57] + "..."
    longest = max((len(part.encode("utf-8", "surrogateescape")) for part in Path(value).parts), default=0)
    if len(value.encode("utf-8", "surrogateescape")) > PATH_MAX or longest > NAME_MAX:
        raise InputError(f"{what}: {shown!r} has a name of {longest} bytes; give names of at most {NAME_MAX} bytes")
    bad = _hostile(value.replace(" ", "")) if creating else None
    if bad:
        raise InputError(f"{what}: {shown!r} contains {bad}; choose a name without it")
    return value


def check_text(value: str, what: str) -> str:
    """Text given for a tag: no control or format characters (they reach the file's tags as typed)."""
    bad = _hostile(value.replace(" ", ""))
    if bad:
        raise InputError(f"{what}: contains {bad}; give plain text")
    if len(value) > MAX_TEXT_CHARS:
        raise InputError(f"{what}: is {len(value)} characters long; give at most {MAX_TEXT_CHARS}")
    return value
