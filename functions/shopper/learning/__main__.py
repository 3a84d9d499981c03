"""Learn one user's preferences by hand (against the emulators when their env vars are set).

python -m shopper.learning learn USER_ID   # run learn_for_user in this process and show the result

The scheduled pass is fired with `make learn` (python -m devstack learn).
"""

from __future__ import annotations

import argparse
import json
import sys

from shopper.models import now_ms, to_document
from shopper.settings import get_settings
from shopper_core.log import configure_logging


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m shopper.learning", description="Learn preferences by hand."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    learn = commands.add_parser("learn", help="learn one user's preferences now")
    learn.add_argument("user_id")
    args = parser.parse_args(argv)
    settings = get_settings()
    configure_logging(settings.log_level)

    from shopper.learning.service import learn_for_user
    from shopper.repository import Repository, make_client

    prefs = learn_for_user(Repository(make_client(settings)), args.user_id, now_ms(), settings=settings)
    sys.stdout.write(json.dumps(to_document(prefs) if prefs else None, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
