"""The edges of what `program`, `build`, `script`, `init`, `check` and `serve` accept, through the real CLI.

A value the options refuse (voiceguide/inputs.py, voiceguide/cli/optiontypes.py) ends in exit status 2,
one "Error: " line that names the option and says what to give, no traceback,
and no file or folder written. A base URL that is accepted reaches the feed as
a URL podcast apps read, one per file.
"""

from __future__ import annotations

import datetime
import io
import json
import re
import xml.etree.ElementTree as ET

import feedparser
import podcastparser
import pytest
from clirun import assert_one_error, run

from voiceguide.errors import InputError
from voiceguide.inputs import START_LIMITS, check_base_url
from voiceguide.programs.plan import plan_program
from voiceguide.programs.program import load_program
from voiceguide.words.timeline import DEFAULT_PACING

P = pytest.param
TWO_DAYS = 'title = "Two days"\ndays = 2\nroutine = "quick"\n\n[[phases]]\ndays = 2\n'
NONE = ("--engine", "none")


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.toml").write_text(TWO_DAYS, encoding="utf-8")
    return tmp_path


def written(folder):
    return sorted(p.name for p in folder.iterdir() if p.name != "p.toml")


BAD_URLS = [
    P("http://x/\x01/", ["control character", "U+0001", "leave it out"], id="control-char"),
    P("http://x/\x7f/", ["control character", "U+007F"], id="delete"),
    P("http://x/\u202e/", ["U+202E"], id="bidi-override"),
    P("http://x/a b/", ["a space", "%20"], id="space"),
    P("http://localhost:8765/../x/", ["'..' folder"], id="dot-dot"),
    P("http://x/a/./b/", ["'.' or '..' folder"], id="dot"),
    P("http://x/%2e%2E/b/", ["'..' folder"], id="dot-dot-escaped"),
    P("http://x/#frag", ["fragment", "without '?' or '#'"], id="fragment"),
    P("http://x/#", ["fragment"], id="empty-fragment"),
    P("http://x/?v=1", ["query", "without '?' or '#'"], id="query"),
    P("http://example.org:70000/", ["port '70000'", "1 to 65535"], id="port-70000"),
    P("http://example.org:0/", ["port '0'", "1 to 65535"], id="port-0"),
    P("http://example.org:http/", ["port 'http'"], id="port-text"),
    P("http://[::1/", ["unbalanced", "brackets"], id="ipv6-unclosed"),
    P("http://::1/", ["port"], id="ipv6-bare"),
    P("http://[::1]x/", ["unbalanced"], id="ipv6-junk-after"),
    P("http://[zz::1]/", ["not an IP address"], id="ipv6-bad"),
    P("http://[127.0.0.1]/", ["in brackets"], id="ipv4-in-brackets"),
    P("http://[fe80::1%25eth0]/", ["zone"], id="ipv6-zone"),
    P("http://999.1.1.1/", ["not an IP address"], id="ipv4-999"),
    P("http://0.0.0.0:8765/", ["where a server listens", "LAN address"], id="unspecified"),
    P("http://a..b/", ["not a host name"], id="empty-label"),
    P("http://-x.org/", ["not a host name"], id="leading-hyphen"),
    P("http://" + "a" * 64 + ".org/", ["not a host name"], id="label-64"),
    P("http:///stretch/", ["no host name"], id="no-host"),
    P("http://:8765/", ["no host name"], id="port-no-host"),
    P("http://me:secret@example.org/", ["user name or password"], id="userinfo"),
    P("ftp://example.org/", ["not an http or https URL"], id="ftp"),
    P("javascript:alert(1)", ["not an http or https URL"], id="javascript"),
    P("example.org/stretch/", ["not an http or https URL"], id="no-scheme"),
    P("http://x/100%/", ["'%'", "%25"], id="bare-percent"),
    P("http://x/a\\b/", ["backslash", "'/'"], id="backslash"),
    P("", ["is empty"], id="empty"),
    P("   ", ["is empty"], id="blank"),
    P("http://x/" + "a" * 1000, ["1009 characters", "at most 1000"], id="huge"),
]


@pytest.mark.parametrize("url, words", BAD_URLS)
def test_a_bad_base_url_is_one_line_and_writes_nothing(in_tmp, url, words):
    assert_one_error(run("program", "p.toml", "-o", "out", "--base-url", url, *NONE), "--base-url", *words)
    assert written(in_tmp) == []


@pytest.mark.parametrize("url", ["http://[::1/", "http://x:99999/"])
def test_a_bad_base_url_is_refused_with_plan_too(in_tmp, url):
    assert_one_error(run("program", "p.toml", "--plan", "--base-url", url, *NONE), "--base-url")


GOOD_URLS = [
    P("http://localhost:8765", "http://localhost:8765/", id="no-slash"),
    P("HTTPS://Example.ORG:0443/Stretch//", "https://example.org:443/Stretch/", id="case-port-slashes"),
    P("  http://192.168.1.20:8765/  ", "http://192.168.1.20:8765/", id="spaces-around"),
    P("http://[0:0::1]:8765/", "http://[::1]:8765/", id="ipv6"),
    P("https://exämple.org/étirer/", "https://xn--exmple-cua.org/%C3%A9tirer/", id="unicode"),
    P("http://x/a%20b/", "http://x/a%20b/", id="escape-kept"),
    P("http://x/a<b>\"'/", "http://x/a%3Cb%3E%22'/", id="markup-escaped"),
    P("http://my_box.local./p/", "http://my_box.local./p/", id="underscore-trailing-dot"),
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """One folder for every accepted URL: a rerun with another --base-url rewrites the feed, not the audio."""
    folder = tmp_path_factory.mktemp("rendered")
    (folder / "p.toml").write_text(TWO_DAYS, encoding="utf-8")
    return folder


@pytest.mark.parametrize("url, normal", GOOD_URLS)
def test_an_accepted_base_url_gives_a_well_formed_feed_with_one_url_per_file(rendered, monkeypatch, url, normal):
    monkeypatch.chdir(rendered)
    result = run("program", "p.toml", "-o", "out", "--base-url", url, *NONE)
    assert result.exit_code == 0, result.stderr
    assert f"Feed: {normal}feed.xml" in result.stdout
    manifest = json.loads((rendered / "out" / "voiceguide-program.json").read_text(encoding="utf-8"))
    assert manifest["base_url"] == normal
    xml = (rendered / "out" / "feed.xml").read_bytes()
    parsed = feedparser.parse(xml)
    assert not parsed.bozo, parsed.bozo_exception
    enclosures = [e.enclosures[0].href for e in parsed.entries]
    # Each enclosure carries its content tag (?v=, docs/program-folder.md) after the file's URL.
    assert [e.split("?v=")[0] for e in enclosures] == [f"{normal}day-01.mp3", f"{normal}day-02.mp3"]
    podcast = podcastparser.parse(normal + "feed.xml", io.BytesIO(xml))
    assert sorted(e["enclosures"][0]["url"] for e in podcast["episodes"]) == enclosures
    others = re.findall(rb'url="([^"]*)"', xml)
    assert len(others) == len(set(others)) == 6  # audio, chapters, transcript per day: all distinct


@pytest.mark.parametrize("url", [u.values[0] for u in GOOD_URLS])
def test_a_normalized_base_url_passes_unchanged(url):
    normal = check_base_url(url)
    assert check_base_url(normal) == normal


BAD_STARTS = [
    P("9999-12-31", ["9999-12-31", "2000-01-01 and 2099-12-31"], id="year-9999"),
    P("0001-01-01", ["0001-01-01", "2000-01-01 and 2099-12-31"], id="year-1"),
    P("1999-12-31", ["1999-12-31", "2000-01-01"], id="before-range"),
    P("2100-01-01", ["2100-01-01", "2099-12-31"], id="after-range"),
    P("2026-02-30", ["'2026-02-30'", "YYYY-MM-DD"], id="feb-30"),
    P("26-02-03", ["YYYY-MM-DD"], id="two-digit-year"),
    P("\u0662\u0660\u0662\u0666-02-03", ["YYYY-MM-DD"], id="arabic-digits"),
    P("", ["YYYY-MM-DD"], id="empty"),
]


@pytest.mark.parametrize("start, words", BAD_STARTS)
@pytest.mark.parametrize("mode", ["plan", "render"])
def test_a_start_out_of_range_is_one_line_and_writes_nothing(in_tmp, start, words, mode):
    where = ["--plan"] if mode == "plan" else ["-o", "out"]
    assert_one_error(run("program", "p.toml", *where, "--start", start, *NONE), "--start", *words)
    assert written(in_tmp) == []


def test_the_last_start_of_the_range_plans_into_the_next_year(in_tmp):
    result = run("program", "p.toml", "--plan", "--format", "json", "--start", "2099-12-31", *NONE)
    assert result.exit_code == 0, result.stderr
    assert [d["date"] for d in json.loads(result.stdout)] == ["2099-12-31", "2100-01-01"]


@pytest.mark.parametrize("start", [datetime.date.min, datetime.date.max, START_LIMITS[1] + datetime.timedelta(1)])
def test_the_library_refuses_a_start_out_of_range_before_any_date_arithmetic(start):
    from voiceguide.sound.engines import make_engine

    with pytest.raises(InputError, match="2000-01-01 and 2099-12-31"):
        plan_program(load_program(), start, make_engine("none"))


def test_a_manifest_start_out_of_range_is_one_line(in_tmp):
    assert run("program", "p.toml", "-o", "out", *NONE).exit_code == 0
    path = in_tmp / "out" / "voiceguide-program.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["start"] = "9999-12-31"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    before = {p.name: p.stat().st_mtime_ns for p in (in_tmp / "out").iterdir()}
    assert_one_error(run("program", "p.toml", "-o", "out", *NONE), "9999-12-31", "2099-12-31")
    assert {p.name: p.stat().st_mtime_ns for p in (in_tmp / "out").iterdir()} == before


@pytest.mark.parametrize("at", ["\u0660\u0667:\u0660\u0660", "7am", "24:00", "07:60", "", "07:00\n08:00", "-1:00"])
@pytest.mark.parametrize("mode", ["plan", "render"])
def test_a_bad_time_of_day_is_one_line(in_tmp, at, mode):
    where = ["--plan"] if mode == "plan" else ["-o", "out"]
    assert_one_error(run("program", "p.toml", *where, "--at", at, *NONE), "--at", "HH:MM")
    assert written(in_tmp) == []


NUMBERS = [
    P("--settle", "nan", ["'nan' is not a number of seconds"], id="settle-nan"),
    P("--tempo", "nan", ["'nan' is not a number of seconds"], id="tempo-nan"),
    P("--minutes", "nan", ["'nan' is not a number of minutes"], id="minutes-nan"),
    P("--settle", "-nan", ["number of seconds"], id="settle-minus-nan"),
    P("--settle", "inf", ["inf is not in the range"], id="settle-inf"),
    P("--tempo", "1e309", ["inf is not in the range"], id="tempo-overflow"),
    P("--tempo", "-6", ["not in the range"], id="tempo-negative"),
    P("--minutes", "", ["is not a valid float"], id="minutes-empty"),
    P("--hold", "99999999999999999999", ["not in the range"], id="hold-huge"),
    P("--rate", "1.5", ["not a valid integer"], id="rate-fraction"),
]


@pytest.mark.parametrize("command", ["build", "script"])
@pytest.mark.parametrize("option, value, words", NUMBERS)
def test_a_bad_number_names_its_unit(in_tmp, command, option, value, words):
    out = ["-o", "s.mp3"] if command == "build" else []
    assert_one_error(run(command, "quick", *out, option, value, *NONE), option, *words)
    assert written(in_tmp) == []


def test_the_help_states_the_defaults_the_timeline_uses():
    text = " ".join(run("build", "--help").stdout.split())
    assert f"Seconds per rep of the dynamic stretch. [default: {DEFAULT_PACING.rep_seconds:g}]" in text
    assert f"before a hold's chime. [default: {DEFAULT_PACING.settle:g}]" in text
    assert "from 2000 to 2099" in " ".join(run("program", "--help").stdout.split())


LONG = "a" * 256
EMPTY_OR_ODD = [
    P(["program", "", "--plan"], ["PROGRAM: is empty", "leave it out"], id="program-empty"),
    P(["program", "p.toml", "-o", ""], ["-o/--output: is empty"], id="program-output-empty"),
    P(["program", "p.toml", "-o", LONG], ["256 bytes", "at most 255"], id="program-output-256-bytes"),
    P(["program", "p.toml", "-o", f"{LONG[:100]}/{LONG}"], ["256 bytes"], id="program-output-256-deep"),
    P(["program", "p.toml", "-o", "o\x1b[2Jut"], ["control character", "U+001B"], id="program-output-escape"),
    P(["build", "", "-o", "s.mp3"], ["ROUTINE: is empty"], id="build-routine-empty"),
    P(["build", "quick", "-o", ""], ["-o/--output: is empty"], id="build-output-empty"),
    P(["build", "quick", "-o", LONG + ".mp3"], ["260 bytes"], id="build-output-long"),
    P(["build", "quick", "-o", "s\n.mp3"], ["U+000A"], id="build-output-newline"),
    P(["build", "quick", "-o", "s.mp3", "--lrc", ""], ["--lrc: is empty"], id="lrc-empty"),
    P(["build", "quick", "-o", "s.mp3", "--vtt", "\x07.vtt"], ["--vtt", "U+0007"], id="vtt-bell"),
    P(["build", "quick", "-o", "s.mp3", "--split", LONG], ["--split", "256 bytes"], id="split-long"),
    P(["build", "quick", "-o", "s.mp3", "--cover", ""], ["--cover: is empty"], id="cover-empty"),
    P(["build", "quick", "-o", "s.mp3", "--music", ""], ["--music: is empty"], id="music-empty"),
    P(["build", "quick", "-o", "s.mp3", "--voice", ""], ["--voice: is empty"], id="voice-empty"),
    P(["build", "quick", "-o", "s.mp3", "--title", "a\x1b[31mb"], ["--title", "U+001B"], id="title-escape"),
    P(["build", "quick", "-o", "s.mp3", "--artist", "a\u202eb"], ["--artist", "U+202E"], id="artist-bidi"),
    P(["build", "quick", "-o", "s.mp3", "--album", "x" * 501], ["--album", "at most 500"], id="album-huge"),
    P(["script", ""], ["ROUTINE: is empty"], id="script-routine-empty"),
    P(["script", "quick", "--only", ""], ["--only: '' names nothing"], id="only-empty"),
    P(["script", "quick", "--only", " , "], ["--only: ' , ' names nothing"], id="only-commas"),
    P(["script", "quick", "--skip", ""], ["--skip", "names nothing"], id="skip-empty"),
    P(["script", "quick", "--position", ""], ["--position", "names nothing"], id="position-empty"),
    P(["script", "quick", "--avoid", ",", "--avoid", "knees"], ["--avoid: ',' names nothing"], id="avoid-comma"),
    P(["check", ""], ["FILE: is empty; give a name"], id="check-empty"),
    P(["init", ""], ["FILE: is empty"], id="init-empty"),
    P(["init", "x\x00y"], ["U+0000"], id="init-nul"),
    P(["serve", ""], ["FOLDER: is empty"], id="serve-empty"),
    P(["serve", LONG], ["256 bytes"], id="serve-long"),
]


@pytest.mark.parametrize("args, words", EMPTY_OR_ODD)
def test_an_empty_or_unmakeable_name_is_one_line_and_writes_nothing(in_tmp, args, words):
    line = assert_one_error(run(*args, *NONE) if args[0] not in ("init", "serve") else run(*args), *words)
    assert args[0] != "check" or "leave it out" not in line  # FILE is required: there is no default
    assert written(in_tmp) == []


@pytest.mark.parametrize("name", ["pipe:0", "a" * 250 + ".toml", "trailing\\", "-", "with space.toml"])
def test_odd_but_possible_names_are_files_like_any_other(in_tmp, name):
    result = run("init", "--", name)
    assert result.exit_code == 0, result.stderr
    assert written(in_tmp) == [name]


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("at", "24:00", "not a time of day"),
        ("at", ["07:00"], "not a time of day"),
        ("base_url", "http://example.org/\u0001/", "control character"),
        ("base_url", "http://example.org/#top", "fragment"),
        ("base_url", "javascript:alert(1)//", "http or https"),
        ("files", "feed.xml", "not a schema 1"),
        ("pending", None, "not a schema 1"),
    ],
)
def test_a_manifest_setting_the_options_would_refuse_is_one_line_and_changes_nothing(in_tmp, key, value, words):
    """A rerun reuses the manifest's time and base URL: an edited one passes the options' checks or is refused."""
    assert run("program", "p.toml", "-o", "out", *NONE).exit_code == 0
    path = in_tmp / "out" / "voiceguide-program.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest[key] = value
    path.write_text(json.dumps(manifest), encoding="utf-8")
    before = {p.name: p.stat().st_mtime_ns for p in (in_tmp / "out").iterdir()}
    assert_one_error(run("program", "p.toml", "-o", "out", *NONE), words)
    assert {p.name: p.stat().st_mtime_ns for p in (in_tmp / "out").iterdir()} == before
    if key in ("at", "base_url"):  # the option replaces it
        option = {"at": ["--at", "06:30"], "base_url": ["--base-url", "http://example.org/"]}[key]
        assert run("program", "p.toml", "-o", "out", *NONE, *option).exit_code == 0
        assert ET.parse(in_tmp / "out" / "feed.xml").getroot().tag == "rss"
