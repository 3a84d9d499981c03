"""firestore.indexes.json and firebase.json match what the code queries and serves."""

from __future__ import annotations

import json
from pathlib import Path

from shopper.repository import COLLECTIONS, QUERY_INDEXES

ROOT = Path(__file__).resolve().parents[2]


def test_every_ordered_query_has_its_composite_index() -> None:
    declared = {
        (ix["collectionGroup"], tuple((f["fieldPath"], f["order"]) for f in ix["fields"]))
        for ix in json.loads((ROOT / "firestore.indexes.json").read_text())["indexes"]
    }
    assert set(QUERY_INDEXES) <= declared
    assert {c for c, _ in declared} <= set(COLLECTIONS)


def test_rules_name_every_collection_and_deny_client_writes() -> None:
    rules = (ROOT / "firestore.rules").read_text()
    for collection in COLLECTIONS:
        block = rules.split(f"match /{collection}/", 1)[1].split("\n    }", 1)[0]
        assert "allow write: if false;" in block, collection


def test_firebase_json_points_at_the_repo_files_and_design_ports() -> None:
    config = json.loads((ROOT / "firebase.json").read_text())
    assert config["firestore"] == {"rules": "firestore.rules", "indexes": "firestore.indexes.json"}
    assert config["hosting"]["public"] == "web/dist"
    emulators = config["emulators"]
    assert emulators["firestore"]["port"] == 8080
    assert emulators["auth"]["port"] == 9099
    assert emulators["pubsub"]["port"] == 8085
    assert emulators["hosting"]["port"] == 5000
