"""README and .ci/run tell a newcomer the truth: every system package the tests need is named, and CI runs
README's test command in a fresh virtualenv (the packages README installs, not the machine's)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CI = ROOT / ".ci" / "run"
README = ROOT / "README.md"


def test_readme_names_every_system_package_ci_installs() -> None:
    installs = re.findall(r"apt-get install([^\n>|&;]*)", CI.read_text())
    packages = {word for args in installs for word in args.split()
                if re.fullmatch(r"[a-z0-9][a-z0-9.+-]*", word)}  # options (-y) and $variables left out
    assert "tmux" in packages
    readme = README.read_text(encoding="utf-8")
    assert [p for p in sorted(packages) if p not in readme] == []


def test_ci_runs_the_readme_test_command_in_a_fresh_virtualenv(tmp_path: Path) -> None:
    repo = tmp_path / "clone"
    (repo / ".ci").mkdir(parents=True)
    shutil.copy2(CI, repo / ".ci" / "run")
    # README's test line, as .ci/run finds it; here it reports where it runs instead of installing
    (repo / "README.md").write_text(
        "python -m pip install -e '.[dev]' --help >/dev/null && python -c "
        "'import sys; print(sys.prefix != sys.base_prefix, sys.prefix)' > where.txt\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONHOME")}
    env["TMPDIR"] = str(tmp_path)
    # the system packages count as installed here: this test is about the virtualenv, not apt-get
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for package in ("tmux", "chromium"):
        (bin_dir / package).write_text("#!/bin/sh\nexit 0\n")
        (bin_dir / package).chmod(0o755)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    proc = subprocess.run(["bash", ".ci/run"], cwd=repo, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    in_venv, prefix = (repo / "where.txt").read_text().split()
    assert in_venv == "True" and Path(prefix).is_relative_to(tmp_path)
    assert not Path(prefix).exists()  # the virtualenv is removed when CI is done
