"""The v2 execution list answers from the collection's index exactly what a scan of every execution answers."""
from __future__ import annotations

import random
from datetime import datetime, timezone

from emulator.runtime.emulator import Emulator
from emulator.services.mrs import executions
from emulator.settings import Settings

PROJECT = "p" * 32
CLUSTERS = ("c-one", "c-two")
NAMES = ("etl", "report", "train")


def scanned(registry, cluster: str, query: dict) -> tuple[int, list[str]]:
    """The list as a scan of every stored execution answers it (the registry's answer before the index)."""
    matched = [job for _, job in registry.collection.scan(PROJECT) if job["cluster_id"] == cluster
               and all(job[name] == query[name] for name in ("job_name", "job_id", "job_state", "job_result",
                                                               "job_type") if name in query)
               and query.get("submitted_time_begin", 0) <= job["submitted_time"]
               <= query.get("submitted_time_end", 1 << 62)]
    matched.sort(key=lambda job: (job["submitted_time"], job["job_id"]), reverse=query["sort_by"] == "desc")
    start = (query["offset"] - 1) * query["limit"]
    return len(matched), [job["job_id"] for job in matched[start:start + query["limit"]]]


def test_filtered_lists_match_a_full_scan_through_submits_steps_kills_and_deletes():
    emulator = Emulator(Settings(clock_start=datetime(2026, 1, 1, tzinfo=timezone.utc), clock_frozen=True,
                                 load_fixtures=False, id_seed=7))
    mrs, clock = emulator.services["mrs"], emulator.core.clock
    for cluster in CLUSTERS:
        mrs.clusters.add(PROJECT, {"id": cluster, "name": cluster})
    registry = mrs.executions
    chance = random.Random(20)
    ids: list[tuple[str, str]] = []
    for round_ in range(30):
        for _ in range(20):
            cluster = chance.choice(CLUSTERS)
            job = registry.submit(PROJECT, cluster, {
                "job_type": chance.choice(("MapReduce", "SparkSubmit", "HiveScript")),
                "job_name": chance.choice(NAMES), "arguments": [], "properties": {},
                "duration": chance.choice((1, 5, 30)), "outcome": chance.choice(("SUCCEEDED", "FAILED", "KILLED"))})
            ids.append((cluster, job["job_id"]))
        clock.advance(chance.choice((0, 0.5, 2, 10)))
        cluster, job_id = chance.choice(ids)
        if registry.collection.get(PROJECT, job_id)["job_state"] not in executions.TERMINAL:
            registry.kill(PROJECT, cluster, job_id)
        if round_ % 5 == 4:
            registry.delete_many(PROJECT, cluster, [job_id for c, job_id in chance.sample(ids, 10) if c == cluster])
        for _ in range(10):
            query = {"limit": chance.choice((5, 50, 100)), "offset": chance.choice((1, 2)),
                     "sort_by": chance.choice(("asc", "desc"))}
            for name, values in (("job_name", NAMES), ("job_state", ("RUNNING", "FINISHED", "KILLED", "NEW")),
                                 ("job_result", ("SUCCEEDED", "FAILED", "UNDEFINED")),
                                 ("job_type", ("MapReduce", "HiveScript"))):
                if chance.random() < 0.4:
                    query[name] = chance.choice(values)
            if chance.random() < 0.2:
                query["job_id"] = chance.choice(ids)[1]
            if chance.random() < 0.2:
                query["submitted_time_begin"] = registry.now_ms() - 20_000
            cluster = chance.choice(CLUSTERS)
            total, page = registry.list(PROJECT, cluster, query)
            assert (total, [job["job_id"] for job in page]) == scanned(registry, cluster, query), query
    counted = {cluster: sum(1 for _, job in registry.collection.scan(PROJECT) if job["cluster_id"] == cluster)
               for cluster in CLUSTERS}
    assert {cluster: len(registry._cluster_keys(PROJECT, cluster)) for cluster in CLUSTERS} == counted
