"""Shared fixtures: every test gets its own speech cache."""

from __future__ import annotations

import os
import signal

import pytest
from hypothesis import settings

# CI runs the same examples every time: a landing must not hinge on a lucky draw.
# (Run locally, hypothesis keeps exploring new examples.)
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

# eSpeak through pyttsx3 speaks in milliseconds, Piper in seconds, and the two
# cannot share a process: every test (and every subprocess it starts) uses
# pyttsx3 unless it asks for Piper itself, in a subprocess of its own.
os.environ["VOICEGUIDE_ENGINE"] = "pyttsx3"

# A suite started in the background by a shell without job control (`.ci/run &`)
# inherits SIGINT ignored, and so would every voiceguide it starts: the Ctrl-C
# tests need it delivered. A handler here is reset to the default in children.
signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def cache_dir(tmp_path_factory, monkeypatch):
    """Point the clip cache at a fresh folder, honoured through VOICEGUIDE_CACHE_DIR."""
    path = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("VOICEGUIDE_CACHE_DIR", str(path))
    return path


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory):
    """A cache shared by the slow end-to-end tests, so each clip is spoken once per run."""
    return tmp_path_factory.mktemp("shared-cache")
