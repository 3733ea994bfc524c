"""The notebook's HTML reprs: emails in a locked-down iframe, everything else escaped."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest

from ses_workbench import Workbench
from ses_workbench.notebook import CheckView, LintView, sandboxed_iframe
from ses_workbench.preview_policy import with_policy_meta
from tests.notebook.nb_helpers import EVIL, assert_inert, tags_of


def test_sandboxed_iframe_escapes_the_document() -> None:
    doc = f"<html><body><h1>Hi</h1>{EVIL}</body></html>"
    page = sandboxed_iframe(doc)
    assert page.startswith('<iframe sandbox="" ')
    assert "allow-scripts" not in page and "allow-same-origin" not in page
    assert "<script" not in page.lower() and "</iframe><" not in page
    tags = tags_of(page)
    assert [t for t, _ in tags] == ["iframe"]  # nothing escaped the attribute
    assert tags[0][1]["srcdoc"] == with_policy_meta(doc)  # the browser gets the document back intact,
    assert "img-src data: cid:;" in tags[0][1]["srcdoc"]  # under a policy that blocks remote images
    assert_inert(page)


def test_rendered_email_with_malicious_data(project_copy: Path) -> None:
    wb = Workbench(project_copy)
    tpl = wb.template("order-receipt")
    data: dict[str, Any] = tpl.fixture().data
    data["customer"]["firstName"] = EVIL
    data["order"]["number"] = EVIL  # in the subject too
    view = wb.render("order-receipt", data=data)
    assert view.ok, view.error
    assert EVIL in view.html and EVIL in view.subject  # SES does not escape: the email holds it raw
    page = view._repr_html_()
    assert "<script" not in page.lower()
    assert_inert(page)
    iframes = [a for t, a in tags_of(page) if t == "iframe"]
    assert len(iframes) == 1 and iframes[0]["srcdoc"] == with_policy_meta(view.html)
    assert html.escape(view.subject) in page   # subject shown as text
    if view.text is not None:
        assert html.escape(view.text) in page
    wb.close()


def test_render_failure_is_shown_with_its_location(project_copy: Path) -> None:
    wb = Workbench(project_copy)
    view = wb.render("order-receipt", data={"customer": {"firstName": EVIL}})
    assert not view.ok
    page = view._repr_html_()
    assert "is not present in the rendering data." in page
    assert_inert(page)
    with pytest.raises(Exception, match="is not present"):
        view.raise_for_error()


def test_check_report_escapes_and_counts(project_copy: Path) -> None:
    wb = Workbench(project_copy)
    base = wb.template("order-receipt").fixture().data
    import copy

    rows = [copy.deepcopy(base) for _ in range(20)]
    for i in (3, 8):
        del rows[i]["customer"]["firstName"]
    rows[12]["customer"]["firstName"] = EVIL
    view = wb.check("order-receipt", rows)
    assert isinstance(view, CheckView)
    assert (view.rows, view.ok, view.failing) == (20, 18, 2)
    assert [f.row for f in view.failures] == [4, 9]
    page = view._repr_html_()
    assert "20 rows — 18 ok, 2 failing" in page
    assert_inert(page)
    assert repr(view) == "<check order-receipt: 20 rows: 18 ok, 2 failing>"


def test_check_accepts_json_strings_and_paths(project_copy: Path, tmp_path: Path) -> None:
    import json

    wb = Workbench(project_copy)
    base = wb.template("order-receipt").fixture().data
    bad = dict(base)
    del bad["payment"]
    lines = [json.dumps(base), json.dumps(bad), "{not json"]
    assert wb.check("order-receipt", lines).failing == 2
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(lines) + "\n")
    report = wb.check("order-receipt", str(path))
    assert (report.rows, report.failing) == (3, 2)


def test_check_accepts_a_dataframe(project_copy: Path) -> None:
    import pandas as pd  # dev extra (not a runtime dependency): never skipped in CI
    tpl = project_copy / "greet"
    tpl.mkdir()
    (tpl / "subject.txt").write_text("Hi {{contact.firstName}}\n")
    (tpl / "body.html").write_text("<p>{{#if vip}}{{code}}{{/if}} {{count}}</p>\n")
    (tpl / "body.txt").write_text("{{contact.email}}\n")
    wb = Workbench(project_copy)
    df = pd.DataFrame({
        "contact.firstName": ["Ann", None, "Cid", "Dee"],
        "contact.email": ["a@x", "b@x", "c@x", float("nan")],
        "vip": [True, False, True, False],
        "code": ["A", None, None, None],
        "count": [1, 2, 3, 4],          # numpy int64 values become plain ints
    })
    report = wb.check("greet", df)
    assert (report.rows, report.ok, report.failing) == (4, 1, 3)
    got = {f.row: f.attribute for f in report.failures}
    assert got == {2: "contact.firstName", 3: "code", 4: "contact.email"}


def test_lint_view_escapes(project_copy: Path) -> None:
    (project_copy / "welcome" / "body.html").write_text(f"<p>{{{{#if}}}}{EVIL}</p>")
    wb = Workbench(project_copy)
    view = wb.lint(["welcome"])
    assert isinstance(view, LintView) and view.errors
    assert_inert(view._repr_html_())


def test_templates_table(project_copy: Path) -> None:
    wb = Workbench(project_copy)
    assert "order-receipt" in wb.templates
    page = wb.templates._repr_html_()
    assert "order-receipt" in page
    assert_inert(page)


def test_live_without_ipywidgets_says_how(project_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_widgets(name: str, *args: Any, **kw: Any) -> Any:
        if name == "ipywidgets":
            raise ImportError(name)
        return real_import(name, *args, **kw)

    monkeypatch.setattr(builtins, "__import__", no_widgets)
    msg = Workbench(project_copy).live("welcome")
    assert "pip install 'ses-workbench[jupyter]'" in repr(msg)


def test_check_csv_path_with_empty_cells_choice(project_copy: Path, tmp_path: Path) -> None:
    tpl = project_copy / "hello"
    tpl.mkdir()
    (tpl / "subject.txt").write_text("Hi {{contact.firstName}}\n")
    (tpl / "body.html").write_text("<p>{{contact.email}}</p>\n")
    wb = Workbench(project_copy)
    path = tmp_path / "rows.csv"
    path.write_text('contact.firstName,contact.email\nAnn,a@x\n"",b@x\n')  # row 2: an empty cell
    present = wb.check("hello", str(path))
    missing = wb.check("hello", path, empty_cells="missing")
    assert (present.rows, present.failing) == (2, 0)  # "" is a present value to SES
    assert [(f.row, f.attribute) for f in missing.failures] == [(2, "contact.firstName")]


def test_remote_images_in_the_email_frame_only_when_the_workbench_asks(project_copy: Path) -> None:
    for asked, img_src in ((False, "img-src data: cid:;"), (True, "img-src data: cid: http: https:;")):
        wb = Workbench(project_copy, remote_images=asked)
        page = wb.render("order-receipt")._repr_html_()
        (srcdoc,) = [a["srcdoc"] for t, a in tags_of(page) if t == "iframe"]
        # the policy comes right after the doctype (the email stays in standards mode)
        assert srcdoc.startswith('<!DOCTYPE html><meta http-equiv="Content-Security-Policy" ')
        assert img_src in srcdoc
        wb.close()
