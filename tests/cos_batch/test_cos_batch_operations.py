"""What each task does: COSPutObjectCopy's target prefix, metadata, storage-class, ACL and tagging directives, and
COSInitiateRestoreObject's days and tier, the restored copy readable from the restore's end to its expiry."""
from __future__ import annotations

import pytest
import requests
from cos_live import REGION, served
from cos_runs import DST, REP, SRC, body_of, create_job, describe, fresh_buckets, progress, read_report, \
    run_to_the_end, upload_manifest
from cos_support import error_of, request_body, request_tree
from qcloud_cos.cos_exception import CosServiceError

OWNER, READER, ADMIN = "100000000001", "100000000002", "qcs::cam::uin/100000000003:uin/100000000003"


@pytest.fixture(scope="module")
def emulator():
    with served() as running:
        yield running


@pytest.fixture
def cos(emulator):
    return fresh_buckets(emulator)


def stored(emulator, bucket: str, key: str) -> dict:
    """The object's stored ACL and grants, as the admin API's collections show them."""
    answer = requests.get(f"{emulator.url}/_emulator/collections/cos_objects", timeout=10,
                          params={"fields": "/acl,/grants"})
    assert answer.status_code == 200, answer.text
    found = [item["object"] for item in answer.json()["items"] if (item["scope"], item["name"]) == (bucket, key)]
    return {"acl": found[0]["/acl"], "grants": found[0]["/grants"]}


def copy(**elements) -> dict:
    return {"COSPutObjectCopy": {"TargetResource": f"qcs::cos:{REGION}::{DST}", **elements}}


def grant(identifier: str, permission: str) -> dict:
    return {"Grantee": {"Identifier": identifier, "TypeIdentifier": "ID"}, "Permission": permission}


def put_source(cos) -> None:
    cos.put_object(Bucket=SRC, Key="m", Body=b"source", ContentType="text/plain", Metadata={"x-cos-meta-old": "1"},
                   Tagging="a=1", StorageClass="STANDARD_IA", ACL="public-read", GrantRead=f'id="{READER}"')


def test_a_copy_without_directives_keeps_metadata_tags_and_acl_but_not_the_storage_class(emulator, cos):
    put_source(cos)
    job_id = create_job(emulator, upload_manifest(cos, [f"{SRC},m"]), copy(), confirm=False)
    run_to_the_end(emulator)
    assert progress(describe(emulator, job_id)) == ("Complete", 1, 1, 0)
    head = cos.head_object(Bucket=DST, Key="m")
    assert (head["Content-Type"], head["x-cos-meta-old"], "x-cos-storage-class" in head) == ("text/plain", "1", False)
    assert head["ETag"] == cos.head_object(Bucket=SRC, Key="m")["ETag"]
    assert cos.get_object_tagging(Bucket=DST, Key="m")["TagSet"]["Tag"] == [{"Key": "a", "Value": "1"}]
    assert stored(emulator, DST, "m") == {"acl": "public-read", "grants": {"READ": [READER]}}


@pytest.mark.parametrize(("elements", "headers", "meta"), [
    ({"MetadataDirective": "Copy", "NewObjectMetadata": {"ContentType": "image/png"}},
     {"Content-Type": "text/plain"}, {"x-cos-meta-old": "1"}),
    ({"MetadataDirective": "Add", "NewObjectMetadata": {
        "CacheControl": "no-cache", "UserMetadata": {"member": {"Key": "x-cos-meta-new", "Value": "2"}}}},
     {"Content-Type": "text/plain", "Cache-Control": "no-cache"}, {"x-cos-meta-old": "1", "x-cos-meta-new": "2"}),
    ({"MetadataDirective": "Replaced", "NewObjectMetadata": {
        "ContentDisposition": "attachment", "SSEAlgorithm": "AES256",
        "UserMetadata": {"member": [{"Key": "new", "Value": "2"}]}}},
     {"Content-Type": "application/octet-stream", "Content-Disposition": "attachment",
      "x-cos-server-side-encryption": "AES256"}, {"x-cos-meta-new": "2"}),
], ids=["copy", "add", "replaced"])
def test_the_metadata_directive(emulator, cos, elements, headers, meta):
    put_source(cos)
    create_job(emulator, upload_manifest(cos, [f"{SRC},m"]), copy(**elements), confirm=False)
    run_to_the_end(emulator)
    head = cos.head_object(Bucket=DST, Key="m")
    assert {name: head.get(name) for name in headers} == headers
    assert {name: value for name, value in head.items() if name.startswith("x-cos-meta-")} == meta


@pytest.mark.parametrize(("elements", "encryption"), [
    ({}, None),
    ({"MetadataDirective": "Add", "NewObjectMetadata": {"CacheControl": "no-cache"}}, None),
    ({"MetadataDirective": "Add", "NewObjectMetadata": {"SSEAlgorithm": "AES256"}}, "AES256"),
], ids=["copy", "add", "add-asked"])
def test_encryption_is_not_copied_from_the_source(emulator, cos, elements, encryption):
    cos.put_object(Bucket=SRC, Key="m", Body=b"secret", ServerSideEncryption="AES256")
    create_job(emulator, upload_manifest(cos, [f"{SRC},m"]), copy(**elements), confirm=False)
    run_to_the_end(emulator)
    assert cos.head_object(Bucket=DST, Key="m").get("x-cos-server-side-encryption") == encryption


@pytest.mark.parametrize(("directive", "tags"), [
    ("Copy", [{"Key": "a", "Value": "1"}]),
    ("Replaced", [{"Key": "b", "Value": "2"}]),
    ("Add", [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]),
])
def test_the_tagging_directive(emulator, cos, directive, tags):
    put_source(cos)
    operation = copy(TaggingDirective=directive, NewObjectTagging={"COSTag": [{"Key": "b", "Value": "2"}]})
    create_job(emulator, upload_manifest(cos, [f"{SRC},m"]), operation, confirm=False)
    run_to_the_end(emulator)
    assert cos.get_object_tagging(Bucket=DST, Key="m")["TagSet"]["Tag"] == tags


@pytest.mark.parametrize(("elements", "acl"), [
    ({"CannedAccessControlList": "private", "AccessControlGrants": {"COSGrant": grant(ADMIN, "FULL_CONTROL")}},
     {"acl": "public-read", "grants": {"READ": [READER]}}),  # no directive: Copy
    ({"AccessControlDirective": "Replaced", "CannedAccessControlList": "private",
      "AccessControlGrants": {"COSGrant": grant(ADMIN, "FULL_CONTROL")}},
     {"acl": "private", "grants": {"FULL_CONTROL": [ADMIN]}}),
    ({"AccessControlDirective": "Replaced"}, {"acl": None, "grants": {}}),
    ({"AccessControlDirective": "Add", "AccessControlGrants": {"COSGrant": [grant(ADMIN, "READ"),
                                                                             grant(READER, "READ")]}},
     {"acl": "public-read", "grants": {"READ": [READER, ADMIN]}}),
], ids=["copy", "replaced", "replaced-with-nothing", "add"])
def test_the_access_control_directive(emulator, cos, elements, acl):
    put_source(cos)
    create_job(emulator, upload_manifest(cos, [f"{SRC},m"]), copy(**elements), confirm=False)
    run_to_the_end(emulator)
    assert stored(emulator, DST, "m") == acl


@pytest.mark.parametrize("bad", [
    {"COSGrant": {"Grantee": {"Identifier": OWNER, "TypeIdentifier": "ID"}, "Permission": "DELETE"}},
    {"COSGrant": {"Grantee": {"Identifier": OWNER, "TypeIdentifier": "Email"}, "Permission": "READ"}},
    {"COSGrant": {"Grantee": {"TypeIdentifier": "ID"}, "Permission": "READ"}},
    {"COSGrant": {"Permission": "READ"}},
    {"Other": "x"},
])
def test_a_grant_that_is_not_as_documented_is_refused_at_create_job(emulator, cos, bad):
    tree = request_tree(Operation=copy(AccessControlDirective="Replaced", AccessControlGrants=bad))
    answer = emulator.batch("POST", "/jobs", request_body(tree))
    assert (answer.status_code, error_of(answer.content)[0]) == (400, "InvalidArgument"), answer.text


def test_put_and_copy_object_store_the_acl_they_are_given(emulator, cos):
    put_source(cos)
    assert stored(emulator, SRC, "m") == {"acl": "public-read", "grants": {"READ": [READER]}}
    cos.copy_object(Bucket=DST, Key="c", CopySource={"Bucket": SRC, "Key": "m", "Region": REGION}, ACL="private",
                    GrantFullControl=f'id="{OWNER}",id="{READER}"')
    assert stored(emulator, DST, "c") == {"acl": "private", "grants": {"FULL_CONTROL": [OWNER, READER]}}
    with pytest.raises(CosServiceError) as refused:
        cos.put_object(Bucket=SRC, Key="n", Body=b"x", GrantRead="everyone")
    assert (refused.value.get_status_code(), refused.value.get_error_code()) == (400, "InvalidArgument")


@pytest.mark.parametrize(("elements", "key", "copied"), [
    ({"PrefixReplace": "true", "ResourcesPrefix": "in/", "TargetKeyPrefix": "out/"}, "in/a", "out/a"),
    ({"PrefixReplace": "true", "ResourcesPrefix": "in/", "TargetKeyPrefix": "out/"}, "other/a", "other/a"),
    ({"PrefixReplace": "true", "ResourcesPrefix": "pic", "TargetKeyPrefix": "abc"}, "picture.jpg", "abcture.jpg"),
    ({"PrefixReplace": "true", "ResourcesPrefix": "", "TargetKeyPrefix": "backup/"}, "in/a", "backup/in/a"),
    ({"PrefixReplace": "true", "ResourcesPrefix": "in/"}, "in/a", "a"),
    ({"PrefixReplace": "false", "ResourcesPrefix": "in/", "TargetKeyPrefix": "out/"}, "in/a", "in/a"),
], ids=["replaced", "not-matching", "plain-string", "added", "removed", "off"])
def test_the_target_key_prefix(emulator, cos, elements, key, copied):
    cos.put_object(Bucket=SRC, Key=key, Body=b"k")
    job_id = create_job(emulator, upload_manifest(cos, [f"{SRC},{key}"]), copy(**elements), confirm=False)
    run_to_the_end(emulator)
    assert progress(describe(emulator, job_id)) == ("Complete", 1, 1, 0)
    assert body_of(cos, DST, copied) == b"k"


def test_a_copy_to_an_archive_class_and_over_an_existing_object(emulator, cos):
    cos.put_object(Bucket=SRC, Key="m", Body=b"new")
    cos.put_object(Bucket=DST, Key="m", Body=b"old")
    create_job(emulator, upload_manifest(cos, [f"{SRC},m"]), copy(StorageClass="ARCHIVE"), confirm=False)
    run_to_the_end(emulator)
    assert cos.head_object(Bucket=DST, Key="m")["x-cos-storage-class"] == "ARCHIVE"
    with pytest.raises(CosServiceError) as archived:
        cos.get_object(Bucket=DST, Key="m")
    assert archived.value.get_error_code() == "InvalidObjectState"


RESTORED_AT = 8  # seconds after the start: New, Preparing, Ready, Active each take a 2 s step, then the tasks


@pytest.mark.parametrize(("klass", "tier", "hours", "days", "expiry"), [
    ("ARCHIVE", "Standard", 3, 3, "Sun, 04 Jan 2026 16:00:00 GMT"),
    ("ARCHIVE", "Bulk", 5, 1, "Fri, 02 Jan 2026 16:00:00 GMT"),
    ("DEEP_ARCHIVE", "Standard", 12, 1, "Fri, 02 Jan 2026 16:00:00 GMT"),
    ("DEEP_ARCHIVE", "Bulk", 24, 2, "Sun, 04 Jan 2026 16:00:00 GMT"),
])
def test_a_restore_job_takes_its_tier_s_time_and_keeps_the_copy_for_its_days(emulator, cos, klass, tier, hours,
                                                                            days, expiry):
    cos.put_object(Bucket=SRC, Key="cold", Body=b"cold", StorageClass=klass)
    operation = {"COSInitiateRestoreObject": {"ExpirationInDays": str(days), "JobTier": tier}}
    job_id = create_job(emulator, upload_manifest(cos, [f"{SRC},cold"]), operation, confirm=False)
    run_to_the_end(emulator)  # the restore was requested at 8 s, the job is Complete at 10 s
    assert progress(describe(emulator, job_id)) == ("Complete", 1, 1, 0)
    head = cos.head_object(Bucket=SRC, Key="cold")
    assert (head["x-cos-restore"], head["x-cos-restore-status"]) == (
        'ongoing-request="true"', f'tier="{tier.lower()}"; request-date="Thu, 01 Jan 2026 00:00:08 GMT"')
    emulator.advance(hours * 3600 + RESTORED_AT - 10 - 1)
    with pytest.raises(CosServiceError):
        cos.get_object(Bucket=SRC, Key="cold")  # a second before the restore ends
    emulator.advance(1)
    assert body_of(cos, SRC, "cold") == b"cold"
    assert cos.head_object(Bucket=SRC, Key="cold")["x-cos-restore"] == (
        f'ongoing-request="false", expiry-date="{expiry}"')
    _, rows = read_report(cos, job_id)
    assert rows["succeeded"] == [[SRC, "cold", "", "succeeded", "200", "", "Successful"]]


def test_a_restored_copy_expires_and_a_second_job_renews_it(emulator, cos):
    cos.put_object(Bucket=SRC, Key="cold", Body=b"cold", StorageClass="ARCHIVE")
    etag = upload_manifest(cos, [f"{SRC},cold"])
    create_job(emulator, etag, {"COSInitiateRestoreObject": {"ExpirationInDays": "1", "JobTier": "Standard"}},
               confirm=False)
    run_to_the_end(emulator)
    emulator.advance(3 * 3600)  # restored at 03:00:08, kept until Fri 02 Jan 16:00
    renewed = create_job(emulator, etag, {"COSInitiateRestoreObject": {"ExpirationInDays": "3", "JobTier": "Bulk"}},
                         confirm=False, token="again")
    run_to_the_end(emulator)
    assert progress(describe(emulator, renewed)) == ("Complete", 1, 1, 0)  # a valid copy: its expiry renewed
    assert cos.head_object(Bucket=SRC, Key="cold")["x-cos-restore"] == (
        'ongoing-request="false", expiry-date="Sun, 04 Jan 2026 16:00:00 GMT"')
    emulator.advance(4 * 86400)  # past Sun 04 Jan 16:00: the copy is gone
    assert "x-cos-restore" not in cos.head_object(Bucket=SRC, Key="cold")
    with pytest.raises(CosServiceError) as expired:
        cos.get_object(Bucket=SRC, Key="cold")
    assert (expired.value.get_status_code(), expired.value.get_error_code()) == (403, "InvalidObjectState")


def test_the_restore_scale_shortens_every_restore():
    with served(cos_restore_scale=0.001) as running:  # ARCHIVE Bulk: 5 h becomes 18 s
        cos = running.client()
        for bucket in (SRC, DST, REP):
            cos.create_bucket(Bucket=bucket)
        cos.put_object(Bucket=SRC, Key="cold", Body=b"cold", StorageClass="ARCHIVE")
        create_job(running, upload_manifest(cos, [f"{SRC},cold"]),
                   {"COSInitiateRestoreObject": {"ExpirationInDays": "1", "JobTier": "Bulk"}}, confirm=False)
        run_to_the_end(running)  # requested at 8 s
        running.advance(8 + 18 - 10 - 1)
        assert cos.head_object(Bucket=SRC, Key="cold")["x-cos-restore"] == 'ongoing-request="true"'
        running.advance(1)
        assert body_of(cos, SRC, "cold") == b"cold"
