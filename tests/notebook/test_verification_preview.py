"""The notebook shows a custom verification template as its recipient sees it: the body as it is, the link
SES adds after it, the lint findings; the page stays inert."""

from __future__ import annotations

import html
from pathlib import Path

from ses_workbench import Workbench
from tests.notebook.nb_helpers import assert_inert


def test_preview_has_the_body_the_link_and_lint(project_copy: Path) -> None:
    body = project_copy / "newsletter-sender" / "body.html"
    body.write_text(body.read_text().replace("</body>", "<p>Hi {{name}}</p></body>"))
    wb = Workbench(project_copy)
    view = wb.verification_preview("newsletter-sender")
    assert view.subject == "Confirm your newsletter sender address for Acme"
    assert view.html is not None and view.html.index("token=PREVIEW") > view.html.index("Hi {{name}}")
    assert [d.code for d in view.problems] == ["literal-braces"]
    page = view._repr_html_()
    assert_inert(page)
    assert "noreply@acme.test" in page and "literal text" in page
    assert html.escape("token=PREVIEW") in page or "token=PREVIEW" in page
