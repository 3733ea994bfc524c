"""The custom verification HTML check on its own: every problem's line and column point at what it names
(the ``<`` of a tag, comment or declaration, the first letter of an attribute), whatever the input, and
input the standard library's parser chokes on is refused, never raised."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from ses_workbench.project.verification_html import html_problems

_PIECES = st.sampled_from([
    "<p>", "</p>", "<P CLASS='x'>", "<p\n  onclick=go()>", "<td colspan=2 nowrap>", "<img src=x /><br/>",
    "<a href='#'>", "</a>", "<script>if (a<b) {}</script>", "<!-- c -->", "<!DOCTYPE html>", "<?php x ?>",
    "<![CDATA[ z ]]>", "<![if mso]>", "<![;", "<div\tid=a\n\tdata-x = '1\n2' title=t>", "text", "\n", " ",
    "{{name}}", "&amp;", "<", ">", "=", "'", '"',
])


def _at(text: str, line: int, column: int) -> str:
    return text.split("\n")[line - 1][column - 1:]


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=14).map("".join))
def test_each_problem_points_at_what_it_names(text: str) -> None:
    for problem in html_problems(text):
        here = _at(text, problem.line, problem.column)
        attribute = re.match(r"attribute '([^']+)'", problem.message)
        if attribute:
            assert here.lower().startswith(attribute.group(1)), (text, problem)
        else:
            assert here.startswith("<"), (text, problem)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="<>![]-;?/=' \nabp", max_size=40))
def test_any_text_gets_an_answer_not_an_exception(text: str) -> None:
    assert all(problem.line <= text.count("\n") + 1 for problem in html_problems(text))


def test_a_malformed_marked_section_is_refused_where_it_starts() -> None:
    # html.parser's base class raises AssertionError for `<![;`; the check refuses it and reads on
    found = [(p.line, p.column) for p in html_problems("<p>x</p>\nab<![;> <a>y</a>")]
    assert found == [(2, 3), (2, 9)]
