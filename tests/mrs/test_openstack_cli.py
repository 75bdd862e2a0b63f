"""The OpenStack CLI's data-processing commands (saharaclient's plugin) against a live emulator, where they reach MRS.

`--cluster` takes the cluster's id: a name would be looked up through Sahara's /clusters API,
which MRS does not serve.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from mrs_support import JOB_ID, PROJECT

from emulator.pytest_plugin import CloudJobEmulator

CLUSTER = "bc134369-294c-42b7-a707-b2036ba38524"
OPENSTACK = Path(sys.executable).parent / "openstack"


@pytest.fixture
def openstack(live_url):
    environment = {**os.environ, "OS_AUTH_TYPE": "admin_token", "OS_TOKEN": "any", "OS_ENDPOINT": live_url,
                   "OS_DATA_PROCESSING_URL": f"{live_url}/v1.1/{PROJECT}"}

    def run(*arguments: str) -> str:
        done = subprocess.run([str(OPENSTACK), "dataprocessing", *arguments], env=environment, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    return run


def test_data_sources_and_job_executions_through_the_cli(openstack, live_url):
    source_in = openstack("data source create", "--type", "hdfs", "--url", "/user/in", "cli-in", "-f", "value",
                          "-c", "Id").strip()
    source_out = openstack("data source create", "--type", "hdfs", "--url", "/user/out", "cli-out", "-f", "value",
                           "-c", "Id").strip()
    listed = json.loads(openstack("data source list", "-f", "json"))
    assert sorted(row["Name"] for row in listed) == ["cli-in", "cli-out"]

    started = openstack("job execute", "--job-template", "my-mapreduce-job", "--cluster", CLUSTER,
                        "--input", source_in, "--output", source_out,
                        "--configs", "cloud-job-emulator.outcome:FAILED", "-f", "json")
    message, _, shown_json = started.partition("\n")  # the CLI says so before the record
    executed = json.loads(shown_json)
    assert message == f'Job "{executed["Id"]}" has been started successfully.'
    assert (executed["Status"], executed["Job template id"], executed["Input id"]) == ("PENDING", JOB_ID, source_in)
    CloudJobEmulator(live_url).advance(11)
    shown = json.loads(openstack("job show", executed["Id"], "-f", "json"))
    assert (shown["Status"], shown["Start time"], shown["End time"]) == (
        "FAILED", "2026-01-01T00:00:01", "2026-01-01T00:00:11")
    assert [row["Id"] for row in json.loads(openstack("job list", "-f", "json"))] == [executed["Id"]]

    updated = json.loads(openstack("job update", executed["Id"], "--protected", "-f", "json"))
    assert updated["Is protected"] is True
    openstack("job update", executed["Id"], "--unprotected")
    openstack("job delete", executed["Id"])
    assert json.loads(openstack("job list", "-f", "json")) == []
    openstack("data source delete", source_in, source_out)
    assert json.loads(openstack("data source list", "-f", "json")) == []
