"""An example test run by docker-compose.yml's test container against the emulator service (EMULATOR_URL)."""
import json
import urllib.request


def get(emulator, path):
    request = urllib.request.Request(emulator.url + path, headers={"X-Auth-Token": "any", "x-cos-appid": "1250000000"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read()


def test_each_service_answers_from_the_bundled_fixtures(cloud_job_emulator):
    status, body = get(cloud_job_emulator, "/apis/batch/v1/namespaces/namespace-test/jobs/pi/status")
    assert status == 200 and json.loads(body)["metadata"]["name"] == "pi"
    status, body = get(cloud_job_emulator, "/v1.1/5a3314075bfa49b9ae360f4ecd333695/jobs")
    assert status == 200 and [job["id"] for job in json.loads(body)["jobs"]] == ["b8ea4daa-0042-45e0-a522-e8b714e74760"]
    status, body = get(cloud_job_emulator, "/jobs/53dc6228-c50b-46f7-8ad7-65e7159f1aae")
    assert status == 200 and b"<Status>Complete</Status>" in body


def test_a_job_created_through_the_api_completes_when_the_clock_moves(cloud_job_emulator):
    job = {"metadata": {"name": "nightly"}, "spec": {"template": {"spec": {
        "restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox"}]}}}}
    request = urllib.request.Request(cloud_job_emulator.url + "/apis/batch/v1/namespaces/default/jobs",
                                     data=json.dumps(job).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201

    cloud_job_emulator.advance(11)  # the container starts after 1 s and runs the default 10 s

    status, body = get(cloud_job_emulator, "/apis/batch/v1/namespaces/default/jobs/nightly")
    assert [c["type"] for c in json.loads(body)["status"]["conditions"]] == ["SuccessCriteriaMet", "Complete"]
