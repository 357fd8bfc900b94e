"""Several OS processes hammering one database: no lost updates, no unhandled errors."""

from __future__ import annotations

import json
import multiprocessing as mp
import random
import traceback
from collections import defaultdict

import pytest

from ecpm_tui import lifecycle
from ecpm_tui.config import DbTarget
from ecpm_tui.db import open_database
from ecpm_tui.store import Store

PROCESSES = 4
OPS_PER_PROCESS = 200
CARDS = 6


def worker(url: str, card_ids: list[int], seed: int, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    """Run moves and status changes on shared cards; report (ok, errors)."""
    ok, errors = 0, []
    try:
        db = open_database(DbTarget(url, "test"), create=False)
        store = Store(db, user=f"user{seed}")
        rng = random.Random(seed)
        for i in range(OPS_PER_PROCESS):
            card_id = rng.choice(card_ids)
            try:
                if i % 2:
                    store.cycle_card_status(card_id)
                else:
                    store.move_card(card_id, rng.choice(lifecycle.PHASES))
                ok += 1
            except Exception:
                errors.append(traceback.format_exc(limit=3))
        db.close()
    except Exception:
        errors.append(traceback.format_exc())
    queue.put((ok, errors))


@pytest.mark.slow
def test_parallel_moves_and_status_changes_lose_nothing(db_url: str) -> None:
    db = open_database(DbTarget(db_url, "test"))
    store = Store(db, user="setup")
    pid = store.create_project({"key": "RACE", "name": "Race"}).id
    assert pid is not None
    card_ids = [store.create_card(pid, {"title": f"card {n}"}).id for n in range(CARDS)]
    ids = [c for c in card_ids if c is not None]

    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [
        ctx.Process(target=worker, args=(db_url, ids, seed, queue)) for seed in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    results = [queue.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0

    errors = [e for _, errs in results for e in errs]
    assert errors == [], errors[:3]
    assert sum(ok for ok, _ in results) == PROCESSES * OPS_PER_PROCESS

    # Replay each card's audit trail: every change must start from the previous one's result.
    trail: dict[int, list[tuple[str, list[str]]]] = defaultdict(list)
    for event in reversed(store.list_events(limit=100_000, entity="card")):
        if event.action in ("status", "move"):
            field = "status" if event.action == "status" else "phase"
            assert event.entity_id is not None
            trail[event.entity_id].append((field, json.loads(event.changes)[field]))
    applied = 0
    for card in store.list_cards(pid):
        assert card.id is not None
        state = {"status": "todo", "phase": "initiation"}
        for field, (old, new) in trail[card.id]:
            assert old == state[field], (
                f"lost update on card {card.id}: {field} {old} != {state[field]}"
            )
            state[field] = new
        assert (card.status, card.phase) == (state["status"], state["phase"])
        # version starts at 1 and every committed change adds exactly one.
        assert card.version == 1 + len(trail[card.id])
        applied += len(trail[card.id])
    statuses = sum(1 for t in trail.values() for f, _ in t if f == "status")
    assert statuses == PROCESSES * OPS_PER_PROCESS // 2  # every status change took effect
    assert applied >= statuses
    db.close()


def creator(url: str, project_id: int, seed: int, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    """Create cards in one column as fast as possible; report errors."""
    errors: list[str] = []
    try:
        db = open_database(DbTarget(url, "test"), create=False)
        store = Store(db, user=f"creator{seed}")
        for n in range(CREATES_PER_PROCESS):
            try:
                store.create_card(project_id, {"title": f"p{seed} card {n}"})
            except Exception:
                errors.append(traceback.format_exc(limit=3))
        db.close()
    except Exception:
        errors.append(traceback.format_exc())
    queue.put(errors)


CREATES_PER_PROCESS = 40


@pytest.mark.slow
def test_concurrent_card_creation_gives_every_card_its_own_rank(db_url: str) -> None:
    db = open_database(DbTarget(db_url, "test"))
    store = Store(db, user="setup")
    pid = store.create_project({"key": "RANK", "name": "Ranks"}).id
    assert pid is not None
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=creator, args=(db_url, pid, seed, queue)) for seed in range(8)]
    for p in procs:
        p.start()
    errors = [e for _ in procs for e in queue.get(timeout=300)]
    for p in procs:
        p.join(timeout=60)
    assert errors == [], errors[:3]
    ranks = [c.rank for c in store.list_cards(pid)]
    assert len(ranks) == 8 * CREATES_PER_PROCESS
    assert sorted(ranks) == list(range(1, len(ranks) + 1))
    db.close()
