"""python-saharaclient (through a keystoneauth1 token-endpoint session) against a live emulator process."""
from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from mrs_support import BINARY_ID, JOB_ID, PROJECT, TOKEN
from saharaclient import client as sahara_client
from saharaclient.api.base import APIException


@pytest.fixture
def sahara(live_url):
    """Recipe A of the spec: the token plugin's endpoint already ends in /v1.1/<project>."""
    auth = token_endpoint.Token(endpoint=f"{live_url}/v1.1/{PROJECT}", token=TOKEN)
    return sahara_client.Client("1.1", session=ks_session.Session(auth=auth))


def test_jobs_create_get_list_update_delete(sahara):
    binary = sahara.job_binaries.create(name="client-binary", url="/simple/mapreduce/program", description="d")
    job = sahara.jobs.create(name="client-job", type="MapReduce", libs=[binary.id], description="desc",
                             mains=[], interface=[], is_public=False, is_protected=False)
    assert (job.name, job.type, job.description, job.tenant_id) == ("client-job", "MapReduce", "desc", PROJECT)
    assert [lib["id"] for lib in job.libs] == [binary.id]

    fetched = sahara.jobs.get(job.id)
    assert fetched.to_dict() == job.to_dict()

    listed = sahara.jobs.list()
    assert sorted(item.id for item in listed) == sorted([JOB_ID, job.id])

    updated = sahara.jobs.update(job.id, name="client-job-update", description="new",
                                 is_public=False, is_protected=False)
    assert updated.job["name"] == "client-job-update"  # update returns the whole body: only .job
    assert sahara.jobs.get(job.id).description == "new"
    assert sahara.jobs.update(job.id, description=None).job["description"] is None
    assert sahara.jobs.update(job.id).job["name"] == "client-job-update"

    assert sahara.jobs.delete(job.id) is None
    with pytest.raises(APIException) as raised:
        sahara.jobs.get(job.id)
    assert raised.value.error_code == 404


def test_jobs_list_pages_with_filters_and_reverse_sorting(sahara):
    libs = [BINARY_ID]
    for name in ("page-a", "page-b", "page-c"):
        sahara.jobs.create(name=name, type="MapReduce", libs=libs)
    page = sahara.jobs.list(search_opts={"name": "page-"}, limit=2, sort_by="name", reverse=True)
    assert [job.name for job in page] == ["page-c", "page-b"]
    assert page.prev is None and page.next == page[-1].id
    rest = sahara.jobs.list(search_opts={"name": "page-"}, limit=2, marker=page.next, sort_by="name", reverse=True)
    assert [job.name for job in rest] == ["page-a"]
    assert sahara.jobs.list(search_opts={"type": "Spark"}) == []


def test_job_binaries_create_get_list_update_delete(sahara):
    binary = sahara.job_binaries.create(name="jb-client", url="s3a://bucket/app.jar", description="d")
    assert (binary.name, binary.url, binary.tenant_id, binary.updated_at) == ("jb-client", "s3a://bucket/app.jar",
                                                                               PROJECT, None)
    assert sahara.job_binaries.get(binary.id).to_dict() == binary.to_dict()
    assert sorted(b.id for b in sahara.job_binaries.list()) == sorted([BINARY_ID, binary.id])
    renamed = sahara.job_binaries.update(binary.id, {"name": "jb-renamed"})
    assert renamed.name == "jb-renamed"
    assert sahara.job_binaries.delete(binary.id) is None
    assert binary.id not in [b.id for b in sahara.job_binaries.list()]


def test_seed_job_replays_through_the_client(sahara):
    updated = sahara.jobs.update(JOB_ID, name="my-mapreduce-job-update")
    assert updated.job["libs"][0]["name"] == "my-job-binary-666"
    assert updated.job["created_at"] == "2017-06-22T12:05:58"


def test_404_reaches_the_client_as_an_api_exception(sahara):
    with pytest.raises(APIException) as raised:
        sahara.jobs.get("missing")
    assert raised.value.error_code == 404
    assert raised.value.error_name == "NOT_FOUND"
    assert raised.value.error_message.startswith("Object with {'id': 'missing'} not found\nError ID: ")


def test_400_reaches_the_client_as_an_api_exception(sahara):
    with pytest.raises(APIException) as raised:
        sahara.jobs.create(name="bad name", type="MapReduce", libs=[BINARY_ID])
    assert raised.value.error_code == 400
    assert raised.value.error_name == "VALIDATION_ERROR"
    assert raised.value.error_message.startswith("name: 'bad name' is not a 'valid_name'\nError ID: ")


def test_deleting_a_binary_in_use_is_refused_to_the_client(sahara):
    with pytest.raises(APIException) as raised:
        sahara.job_binaries.delete(BINARY_ID)
    assert (raised.value.error_code, raised.value.error_name) == (400, "DELETION_FAILED")
    assert raised.value.error_message.startswith("JobBinary is referenced and cannot be deleted")


def test_a_request_without_token_is_401_with_keystones_body(live_url):
    request = urllib.request.Request(f"{live_url}/v1.1/{PROJECT}/jobs")
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=10)
    assert raised.value.code == 401
    assert b'"title":"Unauthorized"' in raised.value.read()
