"""Seconds as clocks read them: a player's mm:ss, LRC's [mm:ss.xx], WebVTT's HH:MM:SS.mmm.

Shared by the writers (script, sidecars, tags) so none imports another for a stamp.
"""

from __future__ import annotations

from voiceguide.audio import ms as _ms


def clock(seconds: float) -> str:
    """mm:ss (h:mm:ss past an hour), rounded down as a player's clock shows it."""
    whole = int(seconds)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def lrc_stamp(seconds: float) -> str:
    """[mm:ss.xx], rounded to the nearest hundredth; minutes go past 59 as players expect."""
    cs = (_ms(seconds) + 5) // 10
    minutes, cs = divmod(cs, 6000)
    return f"[{minutes:02d}:{cs // 100:02d}.{cs % 100:02d}]"


def vtt_stamp(seconds: float) -> str:
    """HH:MM:SS.mmm"""
    ms = _ms(seconds)
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"
