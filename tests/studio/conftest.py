"""The studio tests' fixture: `voiceguide studio` on a folder of its own per test module (tests/studiokit.py)."""

from __future__ import annotations

import pytest
from studiokit import studio_on


@pytest.fixture(scope="module")
def studio(tmp_path_factory, shared_cache):
    folder = tmp_path_factory.mktemp("studio-folder")
    with studio_on(folder, shared_cache) as running:
        yield running
