"""The Cloud Functions deploy bundle (devstack/bundle.py) holds the functions and the shared
package, installs that package through its requirements, and imports from itself alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from devstack.bundle import CORE, CORE_REQUIREMENT, DEFAULT_OUT, FUNCTIONS, ROOT, build_bundle


def _files(root: Path) -> set[str]:
    return {
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and not p.name.endswith(".pyc")
    }


def test_the_bundle_is_functions_plus_the_core_package(tmp_path: Path) -> None:
    out = build_bundle(tmp_path / "functions")
    files = _files(out)
    assert {"main.py", "shopper/api/app.py", "core/pyproject.toml", "core/shopper_core/tickets.py"} <= files
    assert {f for f in _files(FUNCTIONS) if f.endswith(".py")} <= files
    assert {f"core/{f}" for f in _files(CORE) if f.endswith(".py") and ".egg-info" not in f} <= files
    assert not [f for f in files if "__pycache__" in f or f.endswith((".pyc", ".env"))]
    requirements = (out / "requirements.txt").read_text().splitlines()
    own = [line for line in (FUNCTIONS / "requirements.txt").read_text().splitlines()]
    assert requirements[: len(own)] == own and requirements[-1] == CORE_REQUIREMENT


def test_the_bundle_imports_from_itself(tmp_path: Path) -> None:
    """As the buildpack installs it: the shared package from the bundle's core/, not the repo's."""
    out = build_bundle(tmp_path / "functions")
    probe = "import main, shopper, shopper_core; print(shopper.__file__); print(shopper_core.__file__)"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=out,
        env={"PYTHONPATH": f"{out / 'core'}:{out}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for line in result.stdout.split():
        assert Path(line).is_relative_to(out), line


def test_terraform_archives_the_bundle() -> None:
    text = (ROOT / "terraform" / "functions.tf").read_text()
    assert f'"${{path.module}}/../{DEFAULT_OUT.relative_to(ROOT)}"' in text
