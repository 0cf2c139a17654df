"""Every link in README.md and docs/*.md leads somewhere: a relative link's file exists, and its
`#anchor` (in the same file or another Markdown file) is a heading's GitHub slug or an explicit
`<a id=...>`/`<a name=...>`. External http(s) links are not fetched. No gateway is needed."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[2]

FENCE = re.compile(r"^\s{0,3}(```|~~~)")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
EXPLICIT_ANCHOR = re.compile(r"""<a\s+[^>]*?\b(?:id|name)\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
# Inline links and images: [text](target) or [text](target "title"); text may hold `code`.
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
# Reference definitions: [label]: target
REFERENCE_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def prose_lines(text: str):
    """(line number, line) outside fenced code blocks."""
    fenced = False
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: the rendered text lower-cased, punctuation other than
    `-` and `_` removed, each space a `-`."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text only
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML
    text = text.replace("`", "").lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every anchor a Markdown file offers: heading slugs (a repeated slug gets -1, -2, ...)
    and explicit <a id> / <a name> targets."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    for _, line in prose_lines(path.read_text(encoding="utf-8")):
        found.update(EXPLICIT_ANCHOR.findall(line))
        match = HEADING.match(line)
        if not match:
            continue
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(path: Path):
    """(line number, target) of every link written in the file's prose (not in code)."""
    for number, line in prose_lines(path.read_text(encoding="utf-8")):
        definition = REFERENCE_DEF.match(line)
        if definition:
            yield number, definition.group(1)
            continue
        for match in INLINE_LINK.finditer(INLINE_CODE.sub("", line)):
            yield number, match.group(1)


def broken_links(path: Path) -> list[str]:
    problems = []
    cache: dict[Path, set[str]] = {}
    for number, target in links(path):
        if SCHEME.match(target):  # http(s), mailto: not fetched
            continue
        file_part, _, anchor = target.partition("#")
        where = f"{path.relative_to(ROOT)}:{number}: ({target})"
        destination = (path.parent / unquote(file_part)).resolve() if file_part else path
        if not destination.exists():
            problems.append(f"{where} {file_part} does not exist")
            continue
        if not anchor:
            continue
        if destination.is_dir() or destination.suffix.lower() != ".md":
            problems.append(f"{where} an anchor into {destination.name}, which is not a Markdown file")
            continue
        known = cache.setdefault(destination, anchors(destination))
        if unquote(anchor) not in known:
            problems.append(f"{where} no heading or <a id> '{anchor}' in {destination.relative_to(ROOT)}")
    return problems


@pytest.mark.parametrize("path", documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_links_and_anchors_resolve(path):
    problems = broken_links(path)
    assert not problems, "dead links:\n" + "\n".join(problems)


def test_readme_links_every_docs_page():
    """The README is the front door: each page under docs/ is reachable from it."""
    linked = {
        (ROOT / target.partition("#")[0]).resolve()
        for _, target in links(ROOT / "README.md")
        if not SCHEME.match(target) and target.partition("#")[0]
    }
    missing = [p.name for p in sorted((ROOT / "docs").glob("*.md")) if p.resolve() not in linked]
    assert not missing, f"docs pages the README does not link: {', '.join(missing)}"


def test_readme_is_short():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines < 250, f"README.md has {lines} lines; the reference belongs in docs/"


@pytest.mark.parametrize(
    "heading, expected",
    [
        ("`gateway audit PATH... [--json]`", "gateway-audit-path---json"),
        ("The report (JSON, `schema_version` 1)", "the-report-json-schema_version-1"),
        ("`connectors.yaml`", "connectorsyaml"),
        ("1. The three-variable contract (executor reached by address)",
         "1-the-three-variable-contract-executor-reached-by-address"),
        ("Not built yet (issue 14)", "not-built-yet-issue-14"),
    ],
)
def test_slug_follows_github(heading, expected):
    assert slug(heading) == expected


def test_checker_finds_a_dead_link_and_a_dead_anchor(tmp_path, monkeypatch):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "page.md").write_text("# Page\n\n## Same\n\n## Same\n\n<a id=\"here\"></a>\n")
    readme = tmp_path / "README.md"
    readme.write_text(
        "# Title\n\n"
        "[ok](docs/page.md#same-1) [ok](docs/page.md#here) [ok](#title) [web](https://example.com/#x)\n"
        "`[not a link](nowhere.md)`\n\n```\n[not a link](nowhere.md)\n```\n"
        "[gone](docs/gone.md) [bad](docs/page.md#same-2) [bad](#nothing)\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    problems = broken_links(readme)
    assert len(problems) == 3, problems
    assert "docs/gone.md does not exist" in problems[0]
    assert "'same-2'" in problems[1] and "'nothing'" in problems[2]
