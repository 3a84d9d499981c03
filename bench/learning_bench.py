"""Preference learning benchmark on the local emulators.

Starts its own Firestore and Pub/Sub emulators on free ports, seeds USERS users with
SIGNALS interaction signals each (batched writes), then measures:

- the scheduled pass (find users with new signals, publish one message per user) over all users;
- the on-demand call `learn_for_user` per user, p50/p95, first learn and a repeat with nothing new;
- draining the fan-out: learning every remaining user with a small thread pool, as concurrent
  function instances would;
- the next scheduled pass, when everyone is up to date.

    .venv/bin/python bench/learning_bench.py [--users 1000] [--signals 50] [--sample 200]

Writes bench/results/learning.json and bench/results/learning.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "functions")]

from bench.common import percentile  # noqa: E402
from devstack.stack import LocalStack, Ports  # noqa: E402

RESULTS = ROOT / "bench" / "results"
HOUR_MS = 60 * 60 * 1000
BRANDS = ["Logitech", "Sony", "Bose", "Apple", "Samsung", "Anker", "Razer", "Nike", "Adidas", "Dell"]
CATEGORIES = ["mice", "headphones", "keyboards", "laptops", "shoes", "phones", "speakers", "chargers"]
COLORS = ["black", "white", "silver", "blue", "red", "gray", "green"]
WORDS = ["Wireless", "Ergonomic", "Compact", "Pro", "Slim", "Gaming", "Classic", "XL", "13 inch", "256GB"]
TYPES = ["view"] * 10 + ["click"] * 6 + ["save"] * 3 + ["purchase"] + ["dislike"] + ["voice_query"] * 2


def seed(client, users: int, signals: int, now: int, rng: random.Random) -> float:
    """Write users x signals documents in 500-document batches, 4 batches in flight."""
    from shopper.models import InteractionSignal, SignalType, to_document
    from shopper.repository import INTERACTION_SIGNALS

    col = client.collection(INTERACTION_SIGNALS)
    docs = []
    for u in range(users):
        taste = rng.sample(BRANDS, 2), rng.sample(CATEGORIES, 2), rng.choice(COLORS)
        for i in range(signals):
            kind = rng.choice(TYPES)
            brand, category = rng.choice(taste[0]), rng.choice(taste[1])
            color = taste[2] if rng.random() < 0.7 else rng.choice(COLORS)
            name = f"{brand} {rng.choice(WORDS)} {category.rstrip('s')} {color}"
            if kind == "voice_query":
                signal = InteractionSignal(
                    userId=f"user-{u:05d}",
                    type=SignalType.voice_query,
                    queryText=f"{color} {category} under {rng.choice([50, 100, 200])} dollars",
                    timestamp=now - rng.randint(1, 6 * 24) * HOUR_MS,
                )
            else:
                signal = InteractionSignal(
                    userId=f"user-{u:05d}",
                    type=SignalType(kind),
                    itemId=f"p{u}-{i}",
                    productName=name,
                    brand=brand,
                    category=category,
                    color=color,
                    price=round(rng.uniform(20, 300), 2),
                    timestamp=now - rng.randint(1, 6 * 24) * HOUR_MS - i,
                )
            docs.append(to_document(signal))

    def commit(chunk: list[dict]) -> None:
        batch = client.batch()
        for doc in chunk:
            batch.set(col.document(), doc)
        batch.commit()

    started = time.perf_counter()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(commit, [docs[i : i + 500] for i in range(0, len(docs), 500)]))
    return time.perf_counter() - started


def run(users: int, signals: int, sample: int, workers: int) -> dict:
    from google.cloud import pubsub_v1

    from shopper.learning.service import learn_for_user, run_scheduled_pass
    from shopper.models import now_ms
    from shopper.repository import Repository, make_client
    from shopper.settings import get_settings

    settings = get_settings()
    client = make_client()
    repo = Repository(client)
    publisher = pubsub_v1.PublisherClient()
    subscriber = pubsub_v1.SubscriberClient()
    topic = publisher.topic_path(settings.project_id, settings.learning_user_topic)
    publisher.create_topic(name=topic)
    sub = subscriber.subscription_path(settings.project_id, "bench-learning-user")
    subscriber.create_subscription(request={"name": sub, "topic": topic})

    now = now_ms()
    seed_s = seed(client, users, signals, now, random.Random(7))

    started = time.perf_counter()
    first_pass = run_scheduled_pass(repo, publisher, now)
    first_pass_s = time.perf_counter() - started

    user_ids = [f"user-{u:05d}" for u in range(users)]
    first, repeat = [], []
    for user in user_ids[:sample]:
        t0 = time.perf_counter()
        learn_for_user(repo, user, now)
        first.append((time.perf_counter() - t0) * 1000)
    for user in user_ids[:sample]:
        t0 = time.perf_counter()
        learn_for_user(repo, user, now)
        repeat.append((time.perf_counter() - t0) * 1000)

    rest = user_ids[sample:]
    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda u: learn_for_user(repo, u, now), rest))
    drain_s = time.perf_counter() - started

    started = time.perf_counter()
    second_pass = run_scheduled_pass(repo, publisher, now)
    second_pass_s = time.perf_counter() - started

    learned = sum(1 for snap in client.collection("user_preferences").stream() if snap.exists)
    subscriber.delete_subscription(subscription=sub)
    subscriber.close()

    def stats(values: list[float]) -> dict:
        return {
            "n": len(values),
            "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(percentile(values, 0.95), 1),
            "max_ms": round(max(values), 1),
        }

    return {
        "users": users,
        "signals_per_user": signals,
        "signals_total": users * signals,
        "seed_s": round(seed_s, 2),
        "scheduled_pass": {
            "seconds": round(first_pass_s, 2),
            "users_with_signals": first_pass.users_with_signals,
            "published": first_pass.published,
        },
        "on_demand_first_learn": stats(first),
        "on_demand_nothing_new": stats(repeat),
        "fan_out_drain": {
            "users": len(rest),
            "workers": workers,
            "seconds": round(drain_s, 2),
            "users_per_s": round(len(rest) / drain_s, 1) if rest else None,
        },
        "next_pass_all_up_to_date": {"seconds": round(second_pass_s, 2), "published": second_pass.published},
        "preferences_written": learned,
        "learner": settings.learner,
        "machine": f"{os.cpu_count()} cpu, load {os.getloadavg()[0]:.1f} at the end",
    }


def markdown(r: dict) -> str:
    d, n, p = r["on_demand_first_learn"], r["on_demand_nothing_new"], r["scheduled_pass"]
    f, s = r["fan_out_drain"], r["next_pass_all_up_to_date"]
    return "\n".join(
        [
            f"# Preference learning ({r['users']} users x {r['signals_per_user']} signals, "
            f"{r['learner']} learner, emulators)",
            "",
            "| measure | value |",
            "|---|---|",
            f"| scheduled pass: find users with new signals + publish one message each | {p['seconds']} s "
            f"({p['published']} messages for {p['users_with_signals']} users) |",
            f"| on-demand `learn_for_user`, first learn (n={d['n']}) | p50 {d['p50_ms']} ms, "
            f"p95 {d['p95_ms']} ms |",
            f"| on-demand, nothing new (n={n['n']}) | p50 {n['p50_ms']} ms, p95 {n['p95_ms']} ms |",
            f"| drain of the fan-out, {f['users']} users on {f['workers']} threads | {f['seconds']} s "
            f"({f['users_per_s']} users/s) |",
            f"| next scheduled pass, everyone up to date | {s['seconds']} s ({s['published']} messages) |",
            f"| seeding {r['signals_total']} signals (batched writes) | {r['seed_s']} s |",
            "",
            f"Machine: {r['machine']}. Command: `.venv/bin/python bench/learning_bench.py`.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--signals", type=int, default=50)
    parser.add_argument("--sample", type=int, default=200, help="users timed one by one on demand")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    log_dir = Path(tempfile.mkdtemp(prefix="learning-bench-"))
    stack = LocalStack(["firestore", "pubsub"], ports=Ports.free(), log_dir=log_dir)
    saved = dict(os.environ)
    try:
        stack.start()
        os.environ.update(stack.env)
        os.environ["LEARNER"] = "offline"
        os.environ["LOG_LEVEL"] = "WARNING"
        from shopper.settings import get_settings

        get_settings.cache_clear()
        result = run(args.users, args.signals, min(args.sample, args.users), args.workers)
    finally:
        stack.stop()
        os.environ.clear()
        os.environ.update(saved)

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "learning.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / "learning.md").write_text(markdown(result))
    sys.stdout.write(markdown(result))


if __name__ == "__main__":
    main()
