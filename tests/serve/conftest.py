"""Fixtures the serve tests share: a program folder and its server per test module, and no run across midnight."""

from __future__ import annotations

import datetime

import pytest
from servekit import TODAY, make_program, serving


@pytest.fixture(autouse=True)
def same_day():
    """The test folders are dated from TODAY and the server releases days by the clock: a run that
    crosses midnight would see one more day released, which is right, not a fault to report."""
    if datetime.date.today() != TODAY:
        pytest.skip("the date changed since the test folders were made (the run crossed midnight)")


@pytest.fixture(scope="module")
def program(request, tmp_path_factory):
    """Days 1, 2 and 4 of a program, rendered once a module (some modules change its files as they go)."""
    work = tmp_path_factory.mktemp(request.module.__name__)
    return make_program(work / "gentle", work / "outside", TODAY)


@pytest.fixture(scope="module")
def server(program):
    """`voiceguide serve` on the module's program folder."""
    with serving(program.path) as running:
        yield running
