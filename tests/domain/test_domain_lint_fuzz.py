"""lint never raises on arbitrary templates and fixtures: it reports, and every report is located."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ses_workbench.lint import lint_template
from ses_workbench.project import TemplateContent

FRAGMENTS = [
    "{{a}}", "{{a.b}}", "{{#if a}}", "{{#if a.b}}", "{{/if}}", "{{#each xs}}", "{{/each}}", "{{this}}",
    "{{name}}", "{{../name}}", "{{@root.a}}", "{{@index}}", "{{else}}", "{{#with a}}", "{{/with}}",
    "{{> p}}", '{{#*inline "p"}}', "{{/inline}}", "{{lookup a b}}", "{{#IF a}}", "{{/IF}}", "{{eq a b}}",
    "{{#unless b}}", "{{/unless}}", "{{!c}}", "\n", " ", "x", "{{", "}}", "{{~a~}}", "{{{a}}}", "\\{{a}}",
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.sampled_from(["", "s", "é"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b", "xs", "name"]),
                                                                inner, max_size=4),
    max_leaves=10,
)


class _Fixture:
    def __init__(self, name: str, path: Path, text: str) -> None:
        self.name, self.path, self.text = name, path, text
        try:
            self.data: Any = json.loads(text)
            self.error = None
        except ValueError as exc:
            self.data, self.error = None, exc


class _Config:
    text_part = "generate"


class _Project:
    config = _Config()


class FakeTemplate:
    """Just enough of EmailTemplate for lint."""

    project = _Project()
    text_generated = False

    def __init__(self, content: TemplateContent, fixtures: dict[str, str]) -> None:
        self.name = "fuzz"
        self.dir = Path("/nonexistent/fuzz")
        self.content = content
        self.fixtures = {k: _Fixture(k, self.dir / "data" / f"{k}.json", v) for k, v in fixtures.items()}

    def part_path(self, part: str) -> Path:
        return self.dir / {"subject": "subject.txt", "html": "body.html", "text": "body.txt"}[part]

    def compose(self, validate: bool = True) -> TemplateContent:
        return self.content

    def locate(self, part: str, line: int) -> tuple[Path, int]:
        return self.part_path(part), line


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    subject=st.lists(st.sampled_from(FRAGMENTS), max_size=4).map("".join),
    html=st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join),
    data=st.dictionaries(st.sampled_from(["a", "b", "xs", "name"]), json_values, max_size=4),
    raw=st.sampled_from(['{"a": 1', "[]", "{}", '{"xs": "str"}']),
)
def test_lint_never_raises(subject: str, html: str, data: dict[str, Any], raw: str) -> None:
    tpl = FakeTemplate(TemplateContent(subject, html, html), {"d": json.dumps(data, indent=1), "r": raw})
    for d in lint_template(tpl):  # type: ignore[arg-type]
        assert d.severity in ("error", "warning")
        assert d.line >= 1 and d.column >= 1 and d.path
        assert "\n" not in d.message
