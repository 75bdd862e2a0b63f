"""CreateJob: the result, the echo in DescribeJob, every required element, each limit, hostile XML."""
from __future__ import annotations

import base64
import hashlib
import re

import pytest
from cos_support import APPID, OTHER_APPID, Cos, error_of, request_body, request_tree, with_path, xml

PRIORITY_MESSAGE = "Priority must be an integer between 0 and 2147483647"


async def job_count(cos: Cos) -> int:
    status, body, _ = await cos.call("GET", "/jobs")
    assert status == 200
    jobs = xml(body)["ListJobsResult"]["Jobs"]
    if jobs is None:
        return 0
    members = jobs["member"]
    return len(members) if isinstance(members, list) else 1


async def refused(cos: Cos, body: bytes, headers: dict | None = None) -> tuple[int, str, str]:
    """POST the body; check nothing was stored; (status, code, message)."""
    before = await job_count(cos)
    status, answer, response_headers = await cos.call("POST", "/jobs", data=body, headers=headers)
    assert response_headers["Content-Type"] == "application/xml"
    assert await job_count(cos) == before
    return (status, *error_of(answer))


async def test_create_answers_the_captured_layout(cos: Cos) -> None:
    status, body, headers = await cos.call("POST", "/jobs", data=request_body())
    assert status == 200
    job_id = xml(body)["CreateJobResult"]["JobId"]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", job_id)
    assert body == f"<CreateJobResult>\n\t<JobId>{job_id}</JobId>\n</CreateJobResult>".encode()
    assert len(body) == 89  # the real capture's Content-Length
    assert headers["Content-Length"] == "89"


async def test_describe_echoes_the_request(cos: Cos) -> None:
    tree = request_tree(Description="copy & <keep> \"quotes\"")
    status, body, _ = await cos.call("POST", "/jobs", data=request_body(tree))
    job_id = xml(body)["CreateJobResult"]["JobId"]
    status, raw, _ = await cos.call("GET", f"/jobs/{job_id}")
    job = xml(raw)["DescribeJobResult"]["Job"]
    assert list(job) == ["ConfirmationRequired", "CreationTime", "Description", "FailureReasons", "JobId",
                         "Manifest", "Operation", "Priority", "ProgressSummary", "Report", "RoleArn", "Status"]
    assert job["Description"] == tree["Description"]
    assert job["Manifest"] == tree["Manifest"]
    assert job["Operation"] == tree["Operation"]
    assert job["Report"] == tree["Report"]
    assert (job["RoleArn"], job["Priority"], job["ConfirmationRequired"]) == (tree["RoleArn"], "10", "false")
    assert job["FailureReasons"] == {"JobFailure": {"FailureCode": None, "FailureReason": None}}
    assert b"ClientRequestToken" not in raw
    assert b"&quot;15150651828fa9cdcb8356b6d1c7638b&quot;" in raw


async def test_the_docs_request_with_declaration_namespace_and_any_order(cos: Cos) -> None:
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
<CreateJobRequest xmlns="http://example.com/doc">
  <RoleArn>qcs::cam::uin/100000000001:roleName/COS_Batch_QcsRole</RoleArn>
  <Priority>0</Priority>
  <Report><ReportScope>FailedTasksOnly</ReportScope><Format>Report_CSV_V1</Format>
    <Enabled>FALSE</Enabled><Bucket>qcs::cos:ap-beijing::result-1250000000</Bucket></Report>
  <Operation><COSInitiateRestoreObject><JobTier>Bulk</JobTier><ExpirationInDays>365</ExpirationInDays>
  </COSInitiateRestoreObject></Operation>
  <Manifest><Spec><Format>COSInventoryReport_CSV_V1</Format></Spec>
    <Location><ObjectVersionId>v1</ObjectVersionId><ObjectArn>qcs::cos:ap-beijing::inv-1250000000/m.json</ObjectArn>
    <ETag>"abc"</ETag></Location></Manifest>
  <ConfirmationRequired>TRUE</ConfirmationRequired>
  <ClientRequestToken>doc-request</ClientRequestToken>
</CreateJobRequest>"""
    status, answer, _ = await cos.call("POST", "/jobs", data=body, headers={"Content-Type": "application/xml"})
    assert status == 200, answer
    job = await cos.describe(xml(answer)["CreateJobResult"]["JobId"])
    assert job["ConfirmationRequired"] == "true"
    assert "Description" not in job
    assert job["Operation"] == {"COSInitiateRestoreObject": {"ExpirationInDays": "365", "JobTier": "Bulk"}}
    assert list(job["Report"]) == ["Bucket", "Enabled", "Format", "ReportScope"]
    assert job["Report"]["Enabled"] == "false"
    assert job["Manifest"] == {"Location": {"ETag": '"abc"', "ObjectArn": "qcs::cos:ap-beijing::inv-1250000000/m.json",
                                            "ObjectVersionId": "v1"},
                               "Spec": {"Format": "COSInventoryReport_CSV_V1"}}


@pytest.mark.parametrize("path, code", [
    ("ClientRequestToken", "InvalidArgument"),
    ("Manifest", "InvalidArgument"),
    ("Manifest/Location", "MalformedXML"),
    ("Manifest/Location/ETag", "InvalidArgument"),
    ("Manifest/Location/ObjectArn", "InvalidArgument"),
    ("Manifest/Spec", "MalformedXML"),
    ("Manifest/Spec/Fields", "InvalidArgument"),  # required for COSBatchOperations_CSV_V1
    ("Manifest/Spec/Format", "InvalidArgument"),
    ("Operation", "InvalidArgument"),
    ("Operation/COSPutObjectCopy/TargetResource", "InvalidArgument"),
    ("Priority", "InvalidArgument"),
    ("Report", "InvalidArgument"),
    ("Report/Bucket", "InvalidArgument"),
    ("Report/Enabled", "InvalidArgument"),
    ("Report/Format", "InvalidArgument"),
    ("Report/ReportScope", "InvalidArgument"),
    ("RoleArn", "InvalidArgument"),
])
async def test_required_element_missing(cos: Cos, path: str, code: str) -> None:
    status, got_code, message = await refused(cos, request_body(with_path(request_tree(), path, None)))
    assert (status, got_code) == (400, code)
    assert message  # the catalogue's words, never empty
    status, got_code, _ = await refused(cos, request_body(with_path(request_tree(), path, "")))
    assert status == 400  # an empty element is as missing


@pytest.mark.parametrize("path", ["ConfirmationRequired", "Description", "Manifest/Location/ObjectVersionId",
                                  "Report/Prefix"])
async def test_optional_element_may_be_left_out(cos: Cos, path: str) -> None:
    status, body, _ = await cos.call("POST", "/jobs", data=request_body(with_path(request_tree(), path, None)))
    assert status == 200, body


@pytest.mark.parametrize("path, limit", [
    ("ClientRequestToken", 64),
    ("Description", 256),
    ("Manifest/Location/ETag", 1024),
    ("Manifest/Location/ObjectArn", 1024),
    ("Manifest/Location/ObjectVersionId", 1024),
    ("Operation/COSPutObjectCopy/TargetResource", 1024),
    ("Report/Prefix", 256),
    ("RoleArn", 1024),
])
async def test_length_limit_at_and_past(cos: Cos, path: str, limit: int) -> None:
    at = "é" * (limit // 2) if limit % 2 == 0 else "x" * limit  # counted in bytes
    status, body, _ = await cos.call("POST", "/jobs", data=request_body(with_path(request_tree(), path, at)))
    assert status == 200, body
    past = with_path(request_tree(ClientRequestToken="another"), path, at + "x")
    assert await refused(cos, request_body(past)) == (400, "InvalidArgument", "Invalid parameter")


@pytest.mark.parametrize("value, accepted", [
    ("0", True), ("2147483647", True), ("2147483648", False), ("-1", False), ("1.5", False),
    ("ten", False), ("+1", False), ("1_0", False), ("\u0661", False),  # an Arabic-Indic digit one
])
async def test_priority_range(cos: Cos, value: str, accepted: bool) -> None:
    body = request_body(Priority=value)
    if accepted:
        status, answer, _ = await cos.call("POST", "/jobs", data=body)
        assert status == 200, answer
        assert (await cos.describe(xml(answer)["CreateJobResult"]["JobId"]))["Priority"] == value
    else:
        assert await refused(cos, body) == (400, "InvalidArgument", PRIORITY_MESSAGE)


@pytest.mark.parametrize("days, accepted", [("1", True), ("365", True), ("0", False), ("366", False), ("x", False)])
async def test_restore_expiration_days(cos: Cos, days: str, accepted: bool) -> None:
    tree = request_tree(Operation={"COSInitiateRestoreObject": {"ExpirationInDays": days, "JobTier": "Standard"}})
    if accepted:
        assert (await cos.call("POST", "/jobs", data=request_body(tree)))[0] == 200
    else:
        assert (await refused(cos, request_body(tree)))[:2] == (400, "InvalidArgument")


@pytest.mark.parametrize("path, value", [
    ("ConfirmationRequired", "yes"),
    ("Manifest/Spec/Format", "CSV"),
    ("Manifest/Spec/Fields", {"member": ["Bucket", "Size"]}),
    ("Report/Enabled", "1"),
    ("Report/Format", "Report_CSV_20180820"),
    ("Report/ReportScope", "Everything"),
    ("Operation/COSPutObjectCopy/MetadataDirective", "Keep"),
    ("Operation/COSPutObjectCopy/CannedAccessControlList", "public-write"),
    ("Operation/COSPutObjectCopy/PrefixReplace", "maybe"),
    ("Operation/COSPutObjectCopy/StorageClass", "GLACIER"),
    ("Operation/COSPutObjectCopy/StorageClass", "standard"),
    ("Operation/COSPutObjectCopy/NewObjectMetadata", {"SSEAlgorithm": "SM4"}),
    ("Operation/COSPutObjectCopy/NewObjectMetadata", {"ContentType": {"Nested": "element"}}),
    ("Operation/COSPutObjectCopy/NewObjectMetadata", {"UserMetadata": {"member": {"Key": "bad_name", "Value": "v"}}}),
    ("Operation/COSPutObjectCopy/NewObjectMetadata", {"UserMetadata": {"member": [
        {"Key": "x-cos-meta-a", "Value": "v" * 2000}, {"Key": "b", "Value": "v" * 2000},
        {"Key": "c", "Value": "v" * 2000}]}}),
    ("Operation/COSPutObjectCopy/NewObjectMetadata", {"UserMetadata": {"member": {"Value": "v"}}}),
    ("Operation/COSPutObjectCopy/NewObjectTagging", {"COSTag": [{"Key": f"k{n}", "Value": "v"} for n in range(11)]}),
    ("Operation/COSPutObjectCopy/NewObjectTagging", {"COSTag": {"Key": "a;b", "Value": "v"}}),
    ("Operation/COSPutObjectCopy/NewObjectTagging", {"COSTag": {"Key": "k" * 129, "Value": "v"}}),
    ("Operation/COSPutObjectCopy/NewObjectTagging", {"COSTag": "text"}),
    ("RoleArn", {"Nested": "element"}),
    ("Priority", ["1", "2"]),
])
async def test_invalid_values(cos: Cos, path: str, value: object) -> None:
    status, code, message = await refused(cos, request_body(with_path(request_tree(), path, value)))
    assert (status, code) == (400, "InvalidArgument")


@pytest.mark.parametrize("operation", [
    {"COSPutObjectCopy": {"TargetResource": "t"}, "COSInitiateRestoreObject": {"ExpirationInDays": "1",
                                                                                "JobTier": "Bulk"}},
    {"S3PutObjectCopy": {"TargetResource": "t"}},
    {"COSPutObjectCopy": [{"TargetResource": "t"}, {"TargetResource": "u"}]},
    "text instead of an operation",
])
async def test_operation_must_hold_exactly_one_known_operation(cos: Cos, operation: object) -> None:
    assert await refused(cos, request_body(Operation=operation)) == (400, "MalformedXML",
                                                                     "Incorrect Operation format")


@pytest.mark.parametrize("operation", [
    b"<COSPutObjectCopy>text<TargetResource>t</TargetResource></COSPutObjectCopy>",
    b"<COSPutObjectCopy><TargetResource>t</TargetResource>" + b"<a>" * 5000 + b"x" + b"</a>" * 5000
    + b"</COSPutObjectCopy>",
])
async def test_operation_text_beside_elements_or_deep_nesting_is_malformed(cos: Cos, operation: bytes) -> None:
    body = request_body(Operation={"PLACEHOLDER": None}).replace(b"<PLACEHOLDER></PLACEHOLDER>", operation)
    assert await refused(cos, body) == (400, "MalformedXML", "Incorrect Operation format")


@pytest.mark.parametrize("name", ["Manifest", "Report"])
async def test_containers_holding_text_are_malformed(cos: Cos, name: str) -> None:
    status, code, message = await refused(cos, request_body(**{name: "text"}))
    assert (status, code, message) == (400, "MalformedXML", f"Incorrect {name} format")


async def test_duplicate_client_request_token(cos: Cos) -> None:
    await cos.create(ClientRequestToken="once")
    assert await refused(cos, request_body(ClientRequestToken="once", Description="a retry")) == (
        400, "InvalidRequest", "ClientRequestToken already exists")
    other = Cos(cos.client, OTHER_APPID)
    assert await other.create(ClientRequestToken="once")  # tokens are per APPID


async def test_empty_body(cos: Cos) -> None:
    assert await refused(cos, b"") == (400, "InvalidRequest", "Empty request body")


@pytest.mark.parametrize("body", [
    b"   ",
    b"not xml",
    b"<CreateJobRequest><Priority>1</Priority>",
    b"<CreateJobRequest></CreateJobResult>",
    b"<CreateJobRequest/><CreateJobRequest/>",
    b"<Other><ClientRequestToken>x</ClientRequestToken></Other>",
    b"<CreateJobRequest/>",
    b"<CreateJobRequest>just text</CreateJobRequest>",
    b"<CreateJobRequest>&undefined;</CreateJobRequest>",
    b"\xff\xfe<\x00",
])
async def test_malformed_xml(cos: Cos, body: bytes) -> None:
    assert await refused(cos, body) == (400, "MalformedXML", "Invalid request format")


@pytest.mark.parametrize("body", [
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><CreateJobRequest><Description>&lol3;</Description>'
    b"</CreateJobRequest>",
    b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><CreateJobRequest><RoleArn>&x;</RoleArn>'
    b"</CreateJobRequest>",
    b'<!DOCTYPE CreateJobRequest SYSTEM "http://127.0.0.1:1/dtd"><CreateJobRequest/>',
    b"<!DOCTYPE CreateJobRequest><CreateJobRequest/>",
])
async def test_doctype_and_entities_are_refused_not_expanded(cos: Cos, body: bytes) -> None:
    status, code, message = await refused(cos, body)
    assert (status, code) == (400, "MalformedXML")


async def test_doctype_in_an_otherwise_valid_request_is_refused(cos: Cos) -> None:
    body = request_body()
    status, code, _ = await refused(cos, b"<!DOCTYPE CreateJobRequest>" + body[body.index(b"<CreateJobRequest"):])
    assert (status, code) == (400, "MalformedXML")


async def test_content_md5(cos: Cos) -> None:
    body = request_body()
    good = base64.b64encode(hashlib.md5(body).digest()).decode()
    status, answer, _ = await cos.call("POST", "/jobs", data=body, headers={"Content-MD5": good})
    assert status == 200, answer
    other = request_body(ClientRequestToken="md5")
    assert await refused(cos, other, {"Content-MD5": good}) == (
        400, "BadDigest", "The Content-MD5 you specified did not match what was received.")
    for malformed in ("not base64!", base64.b64encode(b"short").decode()):
        assert (await refused(cos, other, {"Content-MD5": malformed}))[:2] == (400, "InvalidDigest")


async def test_jobs_belong_to_the_appid_that_created_them(cos: Cos) -> None:
    job_id = await cos.create()
    other = Cos(cos.client, OTHER_APPID)
    status, body, _ = await other.call("GET", f"/jobs/{job_id}")
    assert (status, error_of(body)) == (404, ("NoSuchJob", "The specified job does not exist"))
    status, body, _ = await other.call("GET", "/jobs")
    assert job_id.encode() not in body
    assert APPID != OTHER_APPID and (await cos.describe(job_id))["JobId"] == job_id


async def test_the_log_names_the_element_the_terse_message_does_not(cos: Cos, caplog) -> None:
    caplog.set_level("INFO", logger="emulator.cos_batch")
    await refused(cos, request_body(with_path(request_tree(), "Report/ReportScope", "Everything")))
    assert any("ReportScope is not valid" in record.getMessage() for record in caplog.records)
