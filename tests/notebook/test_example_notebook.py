"""examples/workbench.ipynb runs top to bottom in a real kernel, against the local SES endpoint."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbclient  # dev extra: a missing package fails the run, it is never skipped
import nbformat
import pytest

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "workbench.ipynb"


def _text(output: dict[str, Any]) -> str:
    if output.get("output_type") == "stream":
        return str(output.get("text", ""))
    data = output.get("data", {})
    return str(data.get("text/html", "")) + str(data.get("text/plain", ""))


@pytest.mark.slow
@pytest.mark.timeout(240)  # a kernel start and every cell
def test_example_notebook_executes(project_copy: Path, monkeypatch: pytest.MonkeyPatch,
                                   tmp_path: Path) -> None:
    from ses_workbench.project import Project
    from ses_workbench.render import render_template

    monkeypatch.setenv("SES_WORKBENCH_PROJECT", str(project_copy))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=120, startup_timeout=60, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError on any failing cell

    outputs = ["\n".join(_text(o) for o in cell.get("outputs", [])) for cell in nb.cells
               if cell.cell_type == "code"]
    everything = "\n".join(outputs)
    assert not any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))

    # the rendered subject appears (computed here, independently of the kernel)
    subject = render_template(Project.load(project_copy).get("order-receipt")).subject
    assert f"Subject: {subject}" in everything

    # the check report counts the three bad rows exactly
    assert "50 rows: 47 ok, 3 failing" in everything
    assert re.search(r"50 rows — 47 ok, 3 failing", everything)
    assert "customer.firstName" in everything or "firstName" in everything

    # SES (the local endpoint's TestRenderEmailTemplate) confirms the sampled verdicts
    assert "4 of 4 verdicts confirmed by SES" in everything

    # the rendered email sits in a sandboxed iframe
    assert '<iframe sandbox=""' in everything

    # without yes=True the push and the send only previewed
    assert "nothing pushed; call again with <code>yes=True</code>" in everything
    assert "nothing sent; call again with <code>yes=True</code>" in everything
    # the lint and status tables, the side-by-side diff and the parity verdict were shown
    assert "status against <b>local</b>" in everything
    assert 'class="diff"' in everything and "(updated)" in everything
    assert "local render same as SES" in everything
    # the live view is an ipywidgets widget (the dev extra installs ipywidgets)
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
               for c in nb.cells for o in c.get("outputs", []))

    # push happened (yes=True) and the send reached the simulator
    assert (project_copy / ".ses-workbench").is_dir()
    assert "SUCCESS" in everything

    # the tour never wrote into the repository's sample folder
    repo_samples = Path(__file__).resolve().parents[2] / "sample_templates"
    assert "(updated)" not in (repo_samples / "welcome" / "subject.txt").read_text()
