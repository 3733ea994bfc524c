"""examples/workbench.ipynb runs top to bottom in a real kernel, against the local SES endpoint."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "workbench.ipynb"


def _text(output: dict[str, Any]) -> str:
    if output.get("output_type") == "stream":
        return str(output.get("text", ""))
    data = output.get("data", {})
    return str(data.get("text/html", "")) + str(data.get("text/plain", ""))


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_example_notebook_executes(project_copy: Path, monkeypatch: pytest.MonkeyPatch,
                                   tmp_path: Path) -> None:
    from ses_workbench.project import Project
    from ses_workbench.render import render_template

    monkeypatch.setenv("SES_WORKBENCH_PROJECT", str(project_copy))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=240, kernel_name="python3",
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

    # push happened (yes=True) and the send reached the simulator
    assert (project_copy / ".ses-workbench").is_dir()
    assert "SUCCESS" in everything

    # the tour never wrote into the repository's sample folder
    repo_samples = Path(__file__).resolve().parents[2] / "sample_templates"
    assert "(updated)" not in (repo_samples / "welcome" / "subject.txt").read_text()
