"""Versions follow the spec diff, changelog.yaml records it, and `generator diff` / `check`
say so from the command line (in a throw-away git repository)."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import ir
from generator.changelog import changelog_view, release_yaml
from generator.diff import RESPONSE_CHECKED
from generator.emit_schema import _params
from generator.evolution import Tree, build_tree, compare, record
from generator.kinds import KINDS
from generator.render import environment
from generator.versions import MAJOR, MINOR, NONE, PATCH, bump_of, bumped, enough, parse, required_bump
from support import PROVIDERS, ROOT, SPECS, service

# -- semver -------------------------------------------------------------------------------------


def test_semver_rules() -> None:
    assert parse("0.1.0") == (0, 1, 0) and parse("10.20.30") == (10, 20, 30)
    for bad in ("1.0", "01.0.0", "1.0.0-rc1", "v1.0.0", "1.0.0+build"):
        with pytest.raises(ValueError):
            parse(bad)
    assert required_bump([]) == NONE
    assert required_bump(["docs", "compatible"]) == MINOR
    assert required_bump(["docs", "breaking-wire"]) == MAJOR
    assert required_bump(["docs"]) == PATCH
    # 0.x follows the same rule: a breaking change of 0.1.0 is 1.0.0 (see versions.py)
    assert bumped("0.1.3", MAJOR) == "1.0.0" and bumped("0.1.3", MINOR) == "0.2.0" and bumped("0.1.3", PATCH) == "0.1.4"
    assert bump_of("0.1.0", "0.1.0") == NONE and bump_of("0.1.0", "0.0.9") is None
    assert bump_of("0.1.0", "1.0.0") == MAJOR and bump_of("0.1.9", "0.2.0") == MINOR and bump_of("0.1.0", "0.1.1") == PATCH
    assert enough(MAJOR, MINOR) and not enough(PATCH, MINOR) and not enough(None, PATCH) and enough(NONE, NONE)


# billit 0.2.0: list_orders' result carries next_link (issue 17.3).
CURRENT = {"billink": "0.1.0", "billit": "0.2.0", "billmate": "0.1.0", "inkassogram": "0.1.0"}


def test_the_packages_start_at_their_current_state() -> None:
    for provider in PROVIDERS:
        s = service(provider)
        assert s.version == CURRENT[provider]
        assert [(r.version, r.note, r.changes) for r in s.releases][0] == ("0.1.0", "initial", ())
        assert s.releases[-1].version == CURRENT[provider]
        readme = (ROOT / "generated" / provider / "README.md").read_text(encoding="utf-8")
        assert f"| Package version | {CURRENT[provider]} ([changelog](CHANGELOG.md)) |" in readme
        assert f'version = "{CURRENT[provider]}"' in (ROOT / "generated" / provider / "pyproject.toml").read_text(encoding="utf-8")
        assert "## 0.1.0 — 2026-12-03\n\ninitial\n" in (ROOT / "generated" / provider / "CHANGELOG.md").read_text(encoding="utf-8")


def test_answers_are_checked_for_what_the_diff_says() -> None:
    """The diff calls a response limit documentation unless emit_schema keeps it for answers."""
    for name, kind in KINDS.items():
        params = {p: 1 for p in kind.params}
        kept = set(_params(ir.Scalar(name, tuple(sorted(params.items()))), "response", False))
        assert kept <= RESPONSE_CHECKED | {"format"}, (name, kept)
        assert kept >= (RESPONSE_CHECKED & kind.params), (name, kept)


def test_changelog_renders_newest_first_grouped_by_class() -> None:
    releases = (
        ir.Release("0.1.0", "2026-12-03", note="initial"),
        ir.Release("1.0.0", "2026-12-04", (
            ir.ChangeEntry("docs", "operation check", "summary changed", "text only"),
            ir.ChangeEntry("breaking-consumer", "CheckRequest.X", "removed (x)", "code that passes it fails"),
        )),
    )
    s = service("billink")
    view = changelog_view(dataclasses.replace(s, releases=releases))
    assert [r["version"] for r in view["releases"]] == ["1.0.0", "0.1.0"]
    assert [g["title"] for g in view["releases"][0]["groups"]] == ["Breaking for consumers", "Docs only"]
    text = environment().get_template("docs/changelog.md.j2").render(service=s, header="# x", changelog=view)
    assert text.index("## 1.0.0 — 2026-12-04") < text.index("### Breaking for consumers") < text.index("## 0.1.0")
    assert "- **CheckRequest.X**: removed (x) (code that passes it fails)\n" in text


# -- problems and recording, in-process -----------------------------------------------------------


def _tree(tmp_path: Path, provider: str = "billink") -> tuple[Tree, Path]:
    shutil.copytree(SPECS / provider, tmp_path / "specs" / provider)
    return Tree(tmp_path, {}), tmp_path / "specs" / provider


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _base() -> Tree:
    return Tree(ROOT, {"billink": service("billink")})


def test_a_change_needs_its_bump_and_its_release(tmp_path: Path) -> None:
    _, spec = _tree(tmp_path)
    _edit(spec / "operations/check.yaml", "    - {use: DELIVERYCITY}\n", "")
    head, problems = build_tree(tmp_path)
    assert not problems
    (d,) = compare(_base(), head)
    assert d.needed == MAJOR and d.needed_version == "1.0.0"
    (problem,) = d.problems()
    assert "billink: the specs changed since the base (1 breaking for consumers): that needs a major bump, 0.1.0 → 1.0.0, but the version is 0.1.0" in problem

    comment = "# The history of billink_client, oldest release first"
    assert record(head, [d], "2026-12-04") == ["billink: version 0.1.0 → 1.0.0, 1 changes recorded in specs/billink/changelog.yaml"]
    assert comment in (spec / "changelog.yaml").read_text(encoding="utf-8")  # the hand-written part is kept
    head, problems = build_tree(tmp_path)
    assert not problems, problems
    s = head.services["billink"]
    assert s.version == "1.0.0"
    assert [r.version for r in s.releases] == ["0.1.0", "1.0.0"]
    assert s.releases[-1].changes == (
        ir.ChangeEntry("breaking-consumer", "CheckRequest.DELIVERYCITY", "removed (delivery_city)", "code that passes it fails"),
    )
    (d,) = compare(_base(), head)
    assert d.problems() == []

    # A further edit on the same branch: the release not yet on the base is rewritten, not added.
    _edit(spec / "operations/check.yaml", "summary: Check the creditworthiness of a consumer;", "summary: Check a consumer;")
    head, _ = build_tree(tmp_path)
    (d,) = compare(_base(), head)
    (problem,) = d.problems()
    assert "changelog.yaml does not list what the diff finds since 0.1.0" in problem
    assert "not recorded: [docs] operation check: summary changed" in problem
    record(head, [d], "2026-12-05", note="Trimmed.")
    head, problems = build_tree(tmp_path)
    assert not problems
    s = head.services["billink"]
    assert [(r.version, r.date, r.note, len(r.changes)) for r in s.releases] == [("0.1.0", "2026-12-03", "initial", 0), ("1.0.0", "2026-12-05", "Trimmed.", 2)]
    assert compare(_base(), head)[0].problems() == []


def test_a_larger_bump_is_kept_and_a_lower_version_is_refused(tmp_path: Path) -> None:
    _, spec = _tree(tmp_path)
    _edit(spec / "operations/check.yaml", "summary: Check the creditworthiness of a consumer;", "summary: Check a consumer;")
    head, _ = build_tree(tmp_path)
    (d,) = compare(_base(), head)
    assert d.needed == PATCH and d.needed_version == "0.1.1"
    _edit(spec / "service.yaml", "version: 0.1.0", "version: 0.2.0")
    _edit(spec / "changelog.yaml", "    note: initial\n", "    note: initial\n" + release_yaml("0.2.0", "2026-12-04", [c.entry() for c in d.changes]))
    head, problems = build_tree(tmp_path)
    assert not problems
    (d,) = compare(_base(), head)
    assert d.problems() == [] and d.needed_version == "0.2.0"
    lower = Tree(ROOT, {"billink": dataclasses.replace(service("billink"), version="0.3.0")})
    assert compare(lower, head)[0].problems() == ["billink: version 0.2.0 is below 0.3.0, the base's; versions only go up"]


def test_a_base_from_before_versioning_is_read_as_unversioned(tmp_path: Path) -> None:
    _, spec = _tree(tmp_path)
    _edit(spec / "service.yaml", "version: 0.1.0\n", "")
    (spec / "changelog.yaml").unlink()
    old, problems = build_tree(tmp_path, before_versions_ok=True)
    assert not problems and old.unversioned == {"billink"}
    assert build_tree(tmp_path)[1]  # without the allowance it is an error
    (d,) = compare(old, Tree(ROOT, {"billink": service("billink")}))
    assert d.changes == [] and d.base_version is None and d.problems() == []


# -- the command line, in a git repository --------------------------------------------------------


def _git(repo: Path, *args: str) -> str:
    run = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return run.stdout


def _cli(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=repo, capture_output=True, text=True, timeout=300)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    for name in ("generator", "templates", "specs", "generated"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", ".tmp-*", ".old-*"))
    if (ROOT / ".cache").is_dir():  # black's results, if `make generate` left them: only faster
        shutil.copytree(ROOT / ".cache", tmp_path / ".cache")
    (tmp_path / ".gitignore").write_text(".cache/\n__pycache__/\n", encoding="utf-8")
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.org", "add", "-A")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "base")
    _git(tmp_path, "checkout", "-q", "-b", "feature")
    return tmp_path


def test_cli_diff_check_and_record(repo: Path) -> None:
    unchanged = _cli(repo, "diff")
    assert unchanged.returncode == 0, unchanged.stderr
    assert "No changes in the specs (billink, billit, billmate, inkassogram)." in unchanged.stdout

    _edit(repo / "specs/billink/operations/check.yaml", "    - {use: DELIVERYCITY}\n", "")
    _edit(repo / "specs/billit/operations/get-order.yaml", "title: Get order", "title: Fetch order")
    report = _cli(repo, "diff")
    assert report.returncode == 1, report.stderr
    assert "#### Breaking for consumers" in report.stdout
    assert "- **CheckRequest.DELIVERYCITY**: removed (delivery_city). *Why:* code that passes it fails. `specs/billink/operations/check.yaml:40` → `specs/billink/operations/check.yaml:14` (used by check)" in report.stdout
    assert "version 0.1.0 → 0.1.0: needs a major bump (1.0.0) and its release in changelog.yaml" in report.stdout
    assert "### billit: 1 docs only" in report.stdout
    assert _cli(repo, "diff", "--accept-breaking").returncode == 0
    as_json = _cli(repo, "diff", "--format", "json", "--accept-breaking")
    data = json.loads(as_json.stdout)
    assert data["breaking"] is True
    billink = next(p for p in data["providers"] if p["provider"] == "billink")
    assert billink["needed_version"] == "1.0.0" and billink["version_follows"] is False
    assert billink["changes"] == [{
        "class": "breaking-consumer", "what": "CheckRequest.DELIVERYCITY", "change": "removed (delivery_city)",
        "why": "code that passes it fails", "old": "specs/billink/operations/check.yaml:40",
        "new": "specs/billink/operations/check.yaml:14", "used_by": ["check"],
    }]

    check = _cli(repo, "check", "--provider", "billink", "--provider", "billit", "--jobs", "1")
    assert check.returncode == 1
    assert "that needs a major bump, 0.1.0 → 1.0.0, but the version is 0.1.0" in check.stderr
    assert "billit: the specs changed since the base (1 docs only): that needs a patch bump, 0.2.0 → 0.2.1" in check.stderr

    assert _cli(repo, "diff", "--record").returncode == 2  # no date: the output never reads the clock
    recorded = _cli(repo, "diff", "--record", "--date", "2026-12-04")
    assert recorded.returncode == 0, recorded.stderr
    assert "billink: version 0.1.0 → 1.0.0, 1 changes recorded" in recorded.stdout
    assert "billit: version 0.2.0 → 0.2.1, 1 changes recorded" in recorded.stdout
    generate = _cli(repo, "generate", "--provider", "billink", "--provider", "billit", "--jobs", "1")
    assert generate.returncode == 0, generate.stderr
    changelog = (repo / "generated/billink/CHANGELOG.md").read_text(encoding="utf-8")
    assert "## 1.0.0 — 2026-12-04\n\n### Breaking for consumers\n\n- **CheckRequest.DELIVERYCITY**: removed (delivery_city)" in changelog
    assert 'version = "1.0.0"' in (repo / "generated/billink/pyproject.toml").read_text(encoding="utf-8")
    assert "| Package version | 0.2.1 (" in (repo / "generated/billit/README.md").read_text(encoding="utf-8")
    check = _cli(repo, "check", "--provider", "billink", "--provider", "billit", "--jobs", "1")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "versions: follow the spec diff since merge base of HEAD and main" in check.stdout
    # A breaking change, recorded, still exits 1 for the PR comment; the flag accepts it.
    assert _cli(repo, "diff").returncode == 1


def test_cli_says_when_there_is_no_base(repo: Path) -> None:
    _git(repo, "branch", "-q", "-m", "main", "trunk")
    run = _cli(repo, "diff")
    assert run.returncode == 2
    assert "no base to compare with: no branch main or origin/main to find the merge base with" in run.stderr
    assert _cli(repo, "diff", "trunk").returncode == 0
    run = _cli(repo, "diff", "no-such-rev")
    assert run.returncode == 2 and "cannot resolve 'no-such-rev' to a commit" in run.stderr
    shutil.rmtree(repo / ".git")
    run = _cli(repo, "diff")
    assert run.returncode == 2 and "is not in a git work tree: there is no history to compare with" in run.stderr
