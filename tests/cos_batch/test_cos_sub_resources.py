"""The object API's query names, through cos-python-sdk-v5: a sub-resource it does not serve answers 501
NotImplemented, a versionId other than `null` 404 NoSuchVersion (no versioning); neither changes anything."""
from __future__ import annotations

import pytest
import requests
from cos_live import served
from qcloud_cos import CosS3Client
from qcloud_cos.cos_exception import CosServiceError

SRC = "src-1250000000"
HOST = {"Host": f"{SRC}.cos.ap-guangzhou.myqcloud.com"}


@pytest.fixture(scope="module")
def emulator():
    with served() as running:
        yield running


@pytest.fixture
def cos(emulator):
    requests.post(f"{emulator.url}/_emulator/reset", json={}, timeout=30)
    client = CosS3Client(emulator.client().get_conf(), retry=0)  # the SDK retries a 5xx after sleeping 1, 2, 3 s
    client.create_bucket(Bucket=SRC)
    client.put_object(Bucket=SRC, Key="k", Body=b"x", Tagging="a=1")
    return client


def refused(call, **kwargs) -> tuple[int, str]:
    with pytest.raises(CosServiceError) as raised:
        call(Bucket=SRC, **kwargs)
    return raised.value.get_status_code(), raised.value.get_error_code()


def unchanged(cos) -> tuple:
    """The bucket and its object as a caller sees them."""
    listed = cos.list_objects(Bucket=SRC)
    tags = cos.get_object_tagging(Bucket=SRC, Key="k")["TagSet"]["Tag"]
    return [(c["Key"], c["ETag"]) for c in listed["Contents"]], tags


BUCKET_CALLS = [
    ("delete_bucket_tagging", {}),
    ("get_bucket_tagging", {}),
    ("put_bucket_tagging", {"Tagging": {"TagSet": {"Tag": [{"Key": "a", "Value": "b"}]}}}),
    ("get_bucket_location", {}),
    ("list_objects_versions", {}),
    ("get_bucket_encryption", {}),
    ("put_bucket_encryption", {"ServerSideEncryptionConfiguration": {"Rule": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}}),
    ("get_bucket_referer", {}),
    ("get_bucket_intelligenttiering", {}),
    ("delete_objects", {"Delete": {"Object": [{"Key": "k"}], "Quiet": "true"}}),
]


@pytest.mark.parametrize(("method", "kwargs"), BUCKET_CALLS, ids=[call for call, _ in BUCKET_CALLS])
def test_bucket_sub_resources_are_not_implemented_and_change_nothing(cos, method, kwargs):
    before = unchanged(cos)
    assert refused(getattr(cos, method), **kwargs) == (501, "NotImplemented")
    assert unchanged(cos) == before


OBJECT_CALLS = [
    ("put_symlink", {"SymlinkName": "link", "SymlinkTarget": "k"}),
    ("get_symlink", {"SymlinkName": "k"}),
]


@pytest.mark.parametrize(("method", "kwargs"), OBJECT_CALLS, ids=[call for call, _ in OBJECT_CALLS])
def test_object_sub_resources_are_not_implemented_and_change_nothing(cos, method, kwargs):
    before = unchanged(cos)
    assert refused(getattr(cos, method), **kwargs) == (501, "NotImplemented")
    assert unchanged(cos) == before


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/k?restore"), ("PUT", "/k?restore"), ("PUT", "/k?rename"), ("DELETE", "/k?symlink"),
    ("HEAD", "/k?tagging"), ("POST", "/k?restore&rename"), ("GET", "/?location"), ("DELETE", "/?referer"),
    ("HEAD", "/?location"), ("POST", "/"),
])
def test_a_call_with_a_query_name_it_does_not_serve_is_not_implemented(emulator, cos, method, path):
    before = unchanged(cos)
    answer = requests.request(method, f"{emulator.url}{path}", data=b"", headers=HOST, timeout=10)
    assert answer.status_code == 501
    if method != "HEAD":
        assert b"<Code>NotImplemented</Code>" in answer.content
    assert unchanged(cos) == before


VERSIONED_CALLS = [
    ("get_object", {"Key": "k"}),
    ("delete_object", {"Key": "k"}),
    ("get_object_tagging", {"Key": "k"}),
    ("put_object_tagging", {"Key": "k", "Tagging": {"TagSet": {"Tag": [{"Key": "b", "Value": "2"}]}}}),
    ("delete_object_tagging", {"Key": "k"}),
    ("restore_object", {"Key": "k", "RestoreRequest": {"Days": 1, "CASJobParameters": {"Tier": "Bulk"}}}),
    ("copy_object", {"Key": "copy", "CopySource": {"Bucket": SRC, "Key": "k", "Region": "ap-guangzhou",
                                                   "VersionId": "abc"}}),
]


@pytest.mark.parametrize(("method", "kwargs"), VERSIONED_CALLS, ids=[call for call, _ in VERSIONED_CALLS])
def test_a_version_other_than_null_is_no_such_version_and_changes_nothing(cos, method, kwargs):
    before = unchanged(cos)
    version = {} if method == "copy_object" else {"VersionId": "abc"}
    assert refused(getattr(cos, method), **kwargs, **version) == (404, "NoSuchVersion")
    assert unchanged(cos) == before


def test_head_of_another_version_is_404_and_version_null_is_the_object(cos):
    assert refused(cos.head_object, Key="k", VersionId="abc")[0] == 404  # HEAD: no body, the SDK names no code
    assert cos.head_object(Bucket=SRC, Key="k", VersionId="null")["ETag"] == '"9dd4e461268c8034f5c8564e155c67a6"'
    assert cos.get_object(Bucket=SRC, Key="k", VersionId="null")["Body"].get_raw_stream().read() == b"x"
    source = {"Bucket": SRC, "Key": "k", "Region": "ap-guangzhou", "VersionId": "null"}
    assert cos.copy_object(Bucket=SRC, Key="copy", CopySource=source)["ETag"] == '"9dd4e461268c8034f5c8564e155c67a6"'
    assert refused(cos.get_object, Key="k", VersionId="abc") == (404, "NoSuchVersion")
    with pytest.raises(CosServiceError) as raised:
        cos.get_object(Bucket="nobucket-1250000000", Key="k", VersionId="abc")
    assert raised.value.get_error_code() == "NoSuchBucket"
