"""A state folder that cannot be written (read-only, disk full, a file in the way) is one clear line —
and a send that was delivered says so even when its report cannot be written.

Tests run as root, where chmod does not stop a write: the failure is injected into the atomic writer
(ENOSPC / EACCES raised where the OS would raise it) or made real with a file where a folder must go.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from ses_workbench.project import Project, atomic
from ses_workbench.ses import calibrate as C
from ses_workbench.ses import sync
from ses_workbench.ses.client import SesClient
from ses_workbench.ses.local import LocalSes
from ses_workbench.ses.send import execute_send, plan_send
from ses_workbench.ses.state import StateWriteError, SyncState


def fail_writes(monkeypatch: pytest.MonkeyPatch, where: Callable[[Path], bool],
                code: int = errno.ENOSPC) -> list[Path]:
    """Every atomic write to a path ``where`` accepts raises OSError(code), as the OS would; returns them."""
    real = atomic.write_bytes
    refused: list[Path] = []

    def write_bytes(path: str | Path, data: bytes) -> Path:
        if where(Path(path)):
            refused.append(Path(path))
            raise OSError(code, os.strerror(code), str(path))
        return real(path, data)

    monkeypatch.setattr(atomic, "write_bytes", write_bytes)
    return refused


def under(folder: str) -> Callable[[Path], bool]:
    return lambda path: folder in path.parts


def cli(project: Project, server: LocalSes, *args: str) -> int:
    from ses_workbench.cli import main

    return main([*args, "--dir", str(project.root), "--endpoint-url", server.endpoint_url])


def test_a_delivered_send_says_so_when_its_report_cannot_be_written(
        project: Project, server: LocalSes, client: SesClient, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    sync.push(client, project)
    refused = fail_writes(monkeypatch, under("reports"))
    assert cli(project, server, "send", "welcome", "--to", "qa@verified.test", "--yes") == 0
    out, err = capsys.readouterr()
    assert refused and "Traceback" not in err
    [line] = [x for x in out.splitlines() if " sent in " in x]
    assert line.startswith("1/1 sent in ")
    assert "; the report could not be written: cannot write " in line and "No space left on device" in line
    assert "report: " not in out
    assert len(server.outbox_messages()) == 1  # delivered


def test_the_send_report_error_is_kept_on_the_report(project: Project, client: SesClient,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    sync.push(client, project)
    fail_writes(monkeypatch, under("reports"), errno.EACCES)
    plan = plan_send(client, project, "welcome", ["qa@verified.test"])
    report = execute_send(client, project, plan)
    assert report.ok and [o.status for o in report.outcomes] == ["SUCCESS"] and report.path is None
    assert report.report_error is not None and "Permission denied" in report.report_error


def test_calibrate_reports_what_it_could_not_save(project: Project, server: LocalSes, client: SesClient,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    refused = fail_writes(monkeypatch, lambda p: "calibration" in p.parts or p.name == "calibration.json",
                          errno.EACCES)
    cal = C.calibrate(client, project)
    # the first raw answer failed, so no more were tried; the results file was tried once at the end
    assert [p.suffix for p in refused] == [".eml", ".json"] and refused[1].name == "calibration.json"
    assert cal.results and cal.save_error is not None and "Permission denied" in cal.save_error
    assert client.list_templates(include_scratch=True) == []  # the scratch template is gone all the same
    assert cli(project, server, "calibrate") == 1
    out, err = capsys.readouterr()
    assert "every calibrated behaviour matches the defaults" in out and "Traceback" not in err
    [line] = err.strip().splitlines()
    assert line.startswith("ses-workbench: calibration not saved: cannot write ")


def test_sync_state_writes_fail_as_one_line(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    fail_writes(monkeypatch, under(".ses-workbench"))
    state = SyncState(project.state_dir)
    with pytest.raises(StateWriteError, match=r"^cannot write .*state\.json: No space left on device$"):
        state.remember("local", "welcome", "welcome", "h")
    with pytest.raises(StateWriteError, match=r"backups.*No space left on device"):
        state.backup("local", "welcome", "welcome", project.get("welcome").compose())


def test_a_push_whose_record_cannot_be_saved_is_reported_pushed_with_a_warning(
        project: Project, server: LocalSes, client: SesClient, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    fail_writes(monkeypatch, lambda p: p.name == "state.json")
    assert cli(project, server, "push", "welcome", "--yes") == 0
    out, err = capsys.readouterr()
    assert "created welcome" in out and "Traceback" not in err
    [line] = err.strip().splitlines()
    assert line.startswith("warning welcome: pushed, but the push record was not saved: cannot write ")
    assert client.get_template("welcome") is not None
    assert not (project.state_dir / "state.json").exists() or \
        "welcome" not in json.loads((project.state_dir / "state.json").read_text()).get("pushed", {})
