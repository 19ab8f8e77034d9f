"""The Simplified Chinese catalogue: complete, compiled, consistent, and found at run time.

The .po and .mo under pmo/locale/zh_Hans are committed. These tests catch a catalogue that
lags the code (a new string nobody extracted), an entry left untranslated or fuzzy, a .po
edited without recompiling, and a translation that drops or invents a placeholder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]
LOCALE = "zh_Hans"
LC_MESSAGES = ROOT / "pmo" / "locale" / LOCALE / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"

# What the completeness check copies: the folders `makemessages` scans in the real tree.
# Any other top-level folder holding a Django app (an apps.py) is picked up as well.
COPIED_FILES = ("manage.py",)
COPIED_DIRS = ("pmo", "templates", "projects", "resources", "risks", "quality", "finance", "maintenance")

# printf-style placeholders as Python's % operator reads them ("%%" is a literal percent sign
# and is removed first). The space flag is left out so prose such as "10 % of" is not a match.
NAMED_PLACEHOLDER = re.compile(r"%\((?P<name>[^)]+)\)[#0+-]*\d*(?:\.\d+)?[a-zA-Z]")
POSITIONAL_PLACEHOLDER = re.compile(r"%[#0+-]*(?:\d+|\*)?(?:\.\d+)?[sdifrxXeEgGcoua]")
BRACE_PLACEHOLDER = re.compile(r"(?<!\{)\{[A-Za-z_][A-Za-z0-9_]*\}(?!\})")

Key = tuple[str | None, str]


def key(entry: polib.POEntry | polib.MOEntry) -> Key:
    return (entry.msgctxt or None, entry.msgid)


def show(k: Key) -> str:
    ctxt, msgid = k
    return f"{msgid!r}" if ctxt is None else f"{msgid!r} (context {ctxt!r})"


def live_entries(catalogue: polib.POFile) -> list[polib.POEntry]:
    return [e for e in catalogue if not e.obsolete and e.msgid != ""]


def placeholders(text: str) -> tuple[Counter[str], list[str], Counter[str]]:
    """Named %(x)s placeholders, positional %s/%d ones in order, and {x} ones."""
    text = text.replace("%%", "")
    named = Counter(m.group(0) for m in NAMED_PLACEHOLDER.finditer(text))
    positional = [m.group(0) for m in POSITIONAL_PLACEHOLDER.finditer(NAMED_PLACEHOLDER.sub("", text))]
    braces = Counter(BRACE_PLACEHOLDER.findall(text))
    return named, positional, braces


def translations(entry: polib.POEntry | polib.MOEntry) -> tuple[str, ...]:
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural, key=int))
    return (entry.msgstr,)


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    assert PO_PATH.is_file(), f"{PO_PATH} is missing: run makemessages -l {LOCALE}"
    return polib.pofile(str(PO_PATH))


@pytest.fixture(scope="module")
def mo() -> polib.MOFile:
    assert MO_PATH.is_file(), f"{MO_PATH} is missing: run compilemessages -l {LOCALE}"
    return polib.mofile(str(MO_PATH))


def test_header_declares_simplified_chinese_with_one_plural_form(po: polib.POFile) -> None:
    assert po.metadata.get("Language") == LOCALE
    assert po.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"
    assert "charset=UTF-8" in po.metadata.get("Content-Type", "")
    assert not po.metadata_is_fuzzy, "the header is still marked fuzzy"


def test_every_entry_is_translated_and_none_is_fuzzy(po: polib.POFile) -> None:
    entries = live_entries(po)
    assert entries, "the catalogue is empty"
    untranslated = [e.msgid for e in entries if not all(t.strip() for t in translations(e))]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not untranslated, f"{len(untranslated)} untranslated entries in {PO_PATH.name}: {untranslated}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries in {PO_PATH.name} (check them, then drop the flag): {fuzzy}"


def test_plural_entries_have_exactly_one_form(po: polib.POFile) -> None:
    wrong = {e.msgid: sorted(e.msgstr_plural) for e in live_entries(po) if e.msgid_plural and len(e.msgstr_plural) != 1}
    assert not wrong, f"nplurals=1, so each plural entry needs only msgstr[0]; these differ: {wrong}"


def test_compiled_mo_matches_the_po(po: polib.POFile, mo: polib.MOFile) -> None:
    # msgfmt leaves out untranslated and fuzzy entries, so compare what it would compile.
    expected = {
        key(e): (e.msgid_plural, translations(e))
        for e in live_entries(po)
        if "fuzzy" not in e.flags and all(translations(e))
    }
    compiled = {key(e): (e.msgid_plural, translations(e)) for e in mo if e.msgid != ""}
    stale_or_missing = sorted(show(k) for k in expected.keys() - compiled.keys())
    extra = sorted(show(k) for k in compiled.keys() - expected.keys())
    different = sorted(show(k) for k in expected.keys() & compiled.keys() if expected[k] != compiled[k])
    problems = [
        f"{label}: {keys}"
        for label, keys in (("not in the .mo", stale_or_missing), ("only in the .mo", extra), ("different", different))
        if keys
    ]
    assert not problems, (
        f"the .mo is out of date: run `manage.py compilemessages -l {LOCALE}` and commit {MO_PATH.name}; "
        + "; ".join(problems)
    )
    assert mo.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"


def test_placeholders_in_translations_match_the_source(po: polib.POFile) -> None:
    problems = []
    for entry in live_entries(po):
        if "no-python-format" in entry.flags:
            continue
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        named: Counter[str] = Counter()
        braces: Counter[str] = Counter()
        for source in sources:
            n, _, b = placeholders(source)
            named |= n
            braces |= b
        positional = placeholders(sources[-1])[1]
        for msgstr in translations(entry):
            if not msgstr:
                continue  # reported by the untranslated test
            got_named, got_positional, got_braces = placeholders(msgstr)
            if set(got_named) != set(named) or got_positional != positional or set(got_braces) != set(braces):
                problems.append(
                    f"{entry.msgid!r}: expected {sorted(named)} {positional} {sorted(braces)}, "
                    f"translation {msgstr!r} has {sorted(got_named)} {got_positional} {sorted(got_braces)}"
                )
    assert not problems, "placeholders differ between source and translation:\n" + "\n".join(problems)


def test_placeholder_parser_catches_a_dropped_placeholder() -> None:
    """Guard the guard: the parser must see the difference the test above relies on."""
    assert placeholders("%(user)s was added as %(role)s.")[0] != placeholders("已添加 %(user)s。")[0]
    assert placeholders("These fields cannot be changed: %s")[1] == ["%s"]
    assert placeholders("100%% done, 10 % of it")[1] == []


def test_chinese_is_served_through_locale_paths(po: polib.POFile) -> None:
    assert LC_MESSAGES.parent.parent in [Path(p).resolve() for p in settings.LOCALE_PATHS]
    expected = {e.msgid: e.msgstr for e in live_entries(po) if not e.msgctxt}
    plural = next((e for e in live_entries(po) if e.msgid_plural and not e.msgctxt), None)
    with translation.override("zh-hans"):
        projects = translation.gettext("Projects")
        many = translation.ngettext(plural.msgid, plural.msgid_plural, 3) if plural else None
    assert projects != "Projects"
    assert re.search(r"[\u4e00-\u9fff]", projects), f"not Chinese: {projects!r}"
    assert projects == expected["Projects"]
    if plural is not None:
        assert many == plural.msgstr_plural[0], f"plural {plural.msgid!r} is not served from the .mo: {many!r}"
    with translation.override("en"):
        assert translation.gettext("Projects") == "Projects"


def _copy_project(destination: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "locale")
    app_dirs = {p.parent.name for p in ROOT.glob("*/apps.py")}
    for name in COPIED_FILES:
        shutil.copy2(ROOT / name, destination / name)
    for name in sorted(set(COPIED_DIRS) | app_dirs):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, destination / name, ignore=ignore)


def test_catalogue_contains_every_translatable_string(tmp_path: Path) -> None:
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        require_service("gettext", "makemessages needs xgettext and msgmerge (apt-get install gettext)")
    copy = tmp_path / "project"
    copy.mkdir()
    _copy_project(copy)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pmo.settings.test",
        "PYTHONPATH": os.pathsep.join([str(copy), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    }
    # The copy, not the real tree, must be what Django loads: otherwise makemessages would
    # rewrite the committed catalogue instead of one in tmp_path.
    probe = "import django; django.setup(); from django.conf import settings; print(settings.BASE_DIR)"
    where = subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, "-c", probe],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert Path(where.stdout.strip()).resolve() == copy.resolve(), f"settings resolve outside the copy: {where.stdout}"

    result = subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, "manage.py", "makemessages", "-l", LOCALE, "--no-obsolete"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"
    regenerated_path = copy / "pmo" / "locale" / LOCALE / "LC_MESSAGES" / "django.po"
    assert regenerated_path.is_file(), f"makemessages wrote no catalogue:\n{result.stdout}\n{result.stderr}"

    regenerated = {key(e): e.msgid_plural for e in live_entries(polib.pofile(str(regenerated_path)))}
    committed = {key(e): e.msgid_plural for e in live_entries(polib.pofile(str(PO_PATH)))}
    assert regenerated, "makemessages found no translatable strings in the copy"
    missing = sorted(show(k) for k in regenerated.keys() - committed.keys())
    stale = sorted(show(k) for k in committed.keys() - regenerated.keys())
    plural_changed = sorted(show(k) for k in regenerated.keys() & committed.keys() if regenerated[k] != committed[k])
    hint = f"run `manage.py makemessages -l {LOCALE} --no-obsolete`, translate, then compilemessages"
    assert not missing, f"{len(missing)} strings in the code are not in {PO_PATH.name} ({hint}): {missing}"
    assert not plural_changed, f"plural source text changed ({hint}): {plural_changed}"
    assert not stale, f"{len(stale)} entries in {PO_PATH.name} are no longer in the code ({hint}): {stale}"
