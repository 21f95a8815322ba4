"""What `voiceguide serve` prints when it starts: addresses, the --lan warning, a terminal QR code.

Pure functions of the facts given (the port, the folder, the machine's
addresses), so what --lan would print is tested without listening anywhere
but loopback; `lan_addresses` and `local_name` look those facts up.
"""

from __future__ import annotations

import io
import socket
import threading

from voiceguide.serve.inventory import Inventory

# A UDP socket "connected" to a documentation address (RFC 5737) sends nothing; the
# kernel merely picks the interface of the default route, whose address is the LAN one.
ROUTE_PROBE = ("192.0.2.1", 9)


def lan_addresses() -> list[str]:
    """The machine's IPv4 address on its default route (none when offline)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(ROUTE_PROBE)
            address = str(probe.getsockname()[0])
    except OSError:
        return []
    return [] if address.startswith(("127.", "0.")) else [address]


def local_name(timeout: float = 1.0) -> str | None:
    """HOSTNAME.local when it resolves here (mDNS), looked up for at most `timeout` seconds."""
    name = socket.gethostname().split(".")[0]
    if not name or name == "localhost":
        return None
    name += ".local"
    found: list[str] = []

    def lookup() -> None:
        try:
            socket.getaddrinfo(name, None, socket.AF_INET)
            found.append(name)
        except OSError:
            pass

    worker = threading.Thread(target=lookup, daemon=True)
    worker.start()
    worker.join(timeout)
    return found[0] if found else None


def url(host: str, port: int) -> str:
    return f"http://{host}:{port}/"


def terminal_qr(text: str) -> str:
    """A QR code of `text` in block characters (segno), two modules a line."""
    import segno

    out = io.StringIO()
    segno.make(text, error="m").terminal(out=out, compact=True, border=2)
    return out.getvalue()


def describe(inventory: Inventory, released: int) -> str:
    program = inventory.program
    if program is not None:
        total = len(inventory.sessions)
        return f'Serving the program "{program.title}" ({released} of {total} days out) from {inventory.root}'
    count = len(inventory.sessions)
    return f"Serving {count} voiceguide session{'s' if count != 1 else ''} from {inventory.root}"


def banner(
    inventory: Inventory,
    released: int,
    port: int,
    lan: bool,
    addresses: list[str] | None = None,
    local: str | None = None,
) -> tuple[list[str], list[str]]:
    """(lines for stdout, warnings for stderr) as `serve` starts."""
    out = [describe(inventory, released)]
    warnings: list[str] = []
    feed = inventory.program.feed if inventory.program else None
    if not inventory.sessions and not inventory.playlists:
        warnings.append(
            f"{inventory.root} holds no voiceguide sessions yet; the page lists them once "
            "'voiceguide build' or 'voiceguide program' writes some there"
        )
    hosts = ["127.0.0.1"]
    if lan:
        warnings.append(
            f"--lan: every device on this network can fetch voiceguide's files in {inventory.root} "
            "(only those; nothing else in the folder is served)"
        )
        hosts = [*(addresses or []), *([local] if local else [])]
        if not addresses:
            warnings.append("no network address found: phones cannot reach this machine until it joins a network")
            hosts = hosts or ["127.0.0.1"]
    for host in hosts:
        out.append(f"  Page: {url(host, port)}")
        if feed:
            out.append(f"  Feed: {url(host, port)}{feed}")
    if lan and addresses:
        out.append("Scan to open the page on a phone on this network:")
        out.append(terminal_qr(url(addresses[0], port)).rstrip("\n"))
    out.append("Stop with Ctrl-C.")
    return out, warnings
