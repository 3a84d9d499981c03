"""The Cloud Functions deploy bundle: functions/ plus the shared package, as one directory.

    .venv/bin/python -m devstack.bundle            # -> build/functions/  (`make bundle`)

Cloud Functions builds one source directory with pip; the functions import
`shopper_core` (core/), which lives outside functions/. The bundle is a copy of
functions/ with core/ beside the code as `core/`, and a requirements.txt that is
functions/requirements.txt plus `./core`, so the build installs the shared package
exactly as the voice image does (pip install of core/), never as copied modules.
terraform/functions.tf archives this directory; run this before `terraform apply`.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FUNCTIONS = ROOT / "functions"
CORE = ROOT / "core"
DEFAULT_OUT = ROOT / "build" / "functions"
CORE_REQUIREMENT = "./core"
# Never shipped: caches, local env files, build leftovers.
IGNORED = shutil.ignore_patterns(
    "__pycache__", "*.pyc", ".pytest_cache", ".env", "*.egg-info", "build", "dist", ".ruff_cache"
)


def bundle_requirements(functions_requirements: str) -> str:
    lines = [line for line in functions_requirements.splitlines() if line.strip() != CORE_REQUIREMENT]
    return (
        "\n".join(
            [*lines, "# The package both workloads share (core/, copied beside the code).", CORE_REQUIREMENT]
        )
        + "\n"
    )


def build_bundle(out: Path = DEFAULT_OUT) -> Path:
    """Write the bundle to `out` (replacing what was there); returns `out`."""
    target = out.resolve()
    if any(target == p or target in p.parents for p in (ROOT, FUNCTIONS, CORE)):
        raise SystemExit(f"refusing to write the bundle over {out}")
    if target.exists() and any(target.iterdir()) and not (target / "main.py").exists():
        raise SystemExit(f"refusing to replace {out}: it is not an earlier bundle")
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(FUNCTIONS, out, ignore=IGNORED)
    shutil.copytree(CORE, out / "core", ignore=IGNORED)
    (out / "requirements.txt").write_text(bundle_requirements((FUNCTIONS / "requirements.txt").read_text()))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Assemble the Cloud Functions deploy bundle.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    out = build_bundle(args.out)
    sys.stdout.write(f"functions bundle: {out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
