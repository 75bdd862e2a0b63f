"""The COS object API through cos-python-sdk-v5's CosS3Client (virtual host over loopback) and raw path-style calls."""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone

import pytest
import requests
from cos_live import served
from cos_support import SECRET_ID, SECRET_KEY
from qcloud_cos import CosConfig
from qcloud_cos.cos_auth import CosS3Auth
from qcloud_cos.cos_exception import CosServiceError

SRC = "src-1250000000"
COPY_SOURCE = {"Bucket": SRC, "Key": "dir/a b+c.txt", "Region": "ap-guangzhou"}


@pytest.fixture(scope="module")
def emulator():
    with served(cos_max_object_bytes=1000, cos_max_store_bytes=3000) as running:
        yield running


@pytest.fixture
def cos(emulator):
    requests.post(f"{emulator.url}/_emulator/reset", json={}, timeout=30)
    client = emulator.client()
    client.create_bucket(Bucket=SRC)
    return client


def error_code(call, *args, **kwargs) -> tuple[int, str]:
    with pytest.raises(CosServiceError) as raised:
        call(*args, **kwargs)
    return raised.value.get_status_code(), raised.value.get_error_code()


def test_put_get_head_list_and_delete_an_object(cos):
    put = cos.put_object(Bucket=SRC, Key="dir/a b+c.txt", Body=b"hello world",
                         Metadata={"x-cos-meta-colour": "blue"}, ContentType="text/plain")
    assert put["ETag"] == '"5eb63bbbe01eeed093cb22bb8f5acdc3"'
    assert put["x-cos-hash-crc64ecma"] == "5981764153023615706"
    got = cos.get_object(Bucket=SRC, Key="dir/a b+c.txt")
    assert got["Body"].get_raw_stream().read() == b"hello world"
    assert (got["Content-Type"], got["x-cos-meta-colour"], got["Content-Length"]) == ("text/plain", "blue", "11")
    head = cos.head_object(Bucket=SRC, Key="dir/a b+c.txt")
    assert head["ETag"] == put["ETag"] and "x-cos-storage-class" not in head
    cos.put_object(Bucket=SRC, Key="top.txt", Body=b"")
    listed = cos.list_objects(Bucket=SRC)
    assert [(c["Key"], c["ETag"], c["Size"], c["StorageClass"]) for c in listed["Contents"]] == [
        ("dir/a b+c.txt", put["ETag"], "11", "STANDARD"),
        ("top.txt", '"d41d8cd98f00b204e9800998ecf8427e"', "0", "STANDARD")]
    folded = cos.list_objects(Bucket=SRC, Delimiter="/")
    assert folded["CommonPrefixes"] == [{"Prefix": "dir/"}] and [c["Key"] for c in folded["Contents"]] == ["top.txt"]
    cos.delete_object(Bucket=SRC, Key="top.txt")
    cos.delete_object(Bucket=SRC, Key="never-there")  # 204 all the same
    assert error_code(cos.get_object, Bucket=SRC, Key="top.txt") == (404, "NoSuchKey")
    assert error_code(cos.get_object, Bucket="nobucket-1250000000", Key="x") == (404, "NoSuchBucket")


def test_listing_pages_with_marker_and_max_keys(cos):
    for key in ("a", "b/1", "b/2", "c", "d"):
        cos.put_object(Bucket=SRC, Key=key, Body=b"x")
    first = cos.list_objects(Bucket=SRC, Delimiter="/", MaxKeys=2)
    assert (first["IsTruncated"], first["NextMarker"], first["CommonPrefixes"]) == ("true", "b/", [{"Prefix": "b/"}])
    second = cos.list_objects(Bucket=SRC, Delimiter="/", MaxKeys=2, Marker=first["NextMarker"])
    assert [c["Key"] for c in second["Contents"]] == ["c", "d"] and second["IsTruncated"] == "false"
    assert [c["Key"] for c in cos.list_objects(Bucket=SRC, Prefix="b/")["Contents"]] == ["b/1", "b/2"]


def test_copy_keeps_the_etag_and_copies_or_replaces_metadata(cos):
    cos.put_object(Bucket=SRC, Key="dir/a b+c.txt", Body=b"hello world", Metadata={"x-cos-meta-colour": "blue"})
    copied = cos.copy_object(Bucket=SRC, Key="copy.txt", CopySource=COPY_SOURCE)
    assert copied["ETag"] == '"5eb63bbbe01eeed093cb22bb8f5acdc3"' and copied["CRC64"] == "5981764153023615706"
    assert cos.head_object(Bucket=SRC, Key="copy.txt")["x-cos-meta-colour"] == "blue"
    cos.copy_object(Bucket=SRC, Key="replaced.txt", CopySource=COPY_SOURCE, CopyStatus="Replaced",
                    Metadata={"x-cos-meta-shape": "round"}, StorageClass="STANDARD_IA")
    head = cos.head_object(Bucket=SRC, Key="replaced.txt")
    assert (head.get("x-cos-meta-colour"), head["x-cos-meta-shape"], head["x-cos-storage-class"]) == (
        None, "round", "STANDARD_IA")
    missing = {**COPY_SOURCE, "Key": "gone.txt"}
    assert error_code(cos.copy_object, Bucket=SRC, Key="x", CopySource=missing) == (404, "NoSuchCopySource")
    assert error_code(cos.copy_object, Bucket=SRC, Key="dir/a b+c.txt", CopySource=COPY_SOURCE) == (
        400, "InvalidRequest")


def test_a_copy_is_encrypted_only_when_the_request_asks(cos):
    cos.put_object(Bucket=SRC, Key="secret", Body=b"s", ServerSideEncryption="AES256")
    assert cos.head_object(Bucket=SRC, Key="secret")["x-cos-server-side-encryption"] == "AES256"
    source = {"Bucket": SRC, "Key": "secret", "Region": "ap-guangzhou"}
    for key, extra in (("plain", {}), ("replaced", {"CopyStatus": "Replaced"}),
                       ("asked", {"ServerSideEncryption": "AES256"})):
        cos.copy_object(Bucket=SRC, Key=key, CopySource=source, **extra)
    assert [cos.head_object(Bucket=SRC, Key=key).get("x-cos-server-side-encryption")
            for key in ("plain", "replaced", "asked")] == [None, None, "AES256"]


def test_tags_on_put_and_through_the_tagging_calls(cos):
    cos.put_object(Bucket=SRC, Key="t.txt", Body=b"x", Tagging="team=data&tier=hot")
    assert cos.get_object_tagging(Bucket=SRC, Key="t.txt")["TagSet"]["Tag"] == [
        {"Key": "team", "Value": "data"}, {"Key": "tier", "Value": "hot"}]
    cos.put_object_tagging(Bucket=SRC, Key="t.txt", Tagging={"TagSet": {"Tag": [{"Key": "k", "Value": "v"}]}})
    assert cos.get_object_tagging(Bucket=SRC, Key="t.txt")["TagSet"]["Tag"] == [{"Key": "k", "Value": "v"}]
    cos.delete_object_tagging(Bucket=SRC, Key="t.txt")
    assert cos.get_object_tagging(Bucket=SRC, Key="t.txt").get("TagSet") in (None, {})


@pytest.mark.parametrize(("key", "value"), [("owner", "a@b"), ("标签", "v"), ("k", "café")])
def test_tags_take_only_ascii_letters_digits_space_and_a_few_marks(cos, key, value):
    cos.put_object(Bucket=SRC, Key="t.txt", Body=b"x", Tagging="a=1")
    tagging = {"TagSet": {"Tag": [{"Key": key, "Value": value}]}}
    assert error_code(cos.put_object_tagging, Bucket=SRC, Key="t.txt", Tagging=tagging) == (400, "InvalidTag")
    assert cos.get_object_tagging(Bucket=SRC, Key="t.txt")["TagSet"]["Tag"] == [{"Key": "a", "Value": "1"}]
    cos.put_object_tagging(Bucket=SRC, Key="t.txt", Tagging={"TagSet": {"Tag": [{"Key": "a_b", "Value": "x+-=.:/ y"}]}})


def test_a_listing_of_max_keys_0_is_empty_and_not_truncated(cos):
    cos.put_object(Bucket=SRC, Key="a", Body=b"x")
    listed = cos.list_objects(Bucket=SRC, MaxKeys=0)
    assert (listed["IsTruncated"], listed["MaxKeys"], "Contents" in listed, "NextMarker" in listed) == (
        "false", "0", False, False)


def test_archived_objects_are_restored_on_the_clock(emulator, cos):
    cos.put_object(Bucket=SRC, Key="cold.txt", Body=b"cold", StorageClass="ARCHIVE")
    assert error_code(cos.get_object, Bucket=SRC, Key="cold.txt") == (403, "InvalidObjectState")
    cos.put_object(Bucket=SRC, Key="warm.txt", Body=b"warm")
    request = {"Days": 1, "CASJobParameters": {"Tier": "Expedited"}}
    assert error_code(cos.restore_object, Bucket=SRC, Key="warm.txt", RestoreRequest=request) == (
        405, "RestoreNonArchiveObject")
    cos.restore_object(Bucket=SRC, Key="cold.txt", RestoreRequest=request)
    head = cos.head_object(Bucket=SRC, Key="cold.txt")
    assert (head["x-cos-storage-class"], head["x-cos-restore"]) == ("ARCHIVE", 'ongoing-request="true"')
    assert error_code(cos.restore_object, Bucket=SRC, Key="cold.txt", RestoreRequest=request) == (
        409, "RestoreAlreadyInProgress")
    emulator.advance(59)
    assert cos.head_object(Bucket=SRC, Key="cold.txt")["x-cos-restore"] == 'ongoing-request="true"'
    emulator.advance(1)  # Expedited on ARCHIVE: 60 s
    assert cos.head_object(Bucket=SRC, Key="cold.txt")["x-cos-restore"] == (
        'ongoing-request="false", expiry-date="Fri, 02 Jan 2026 16:00:00 GMT"')
    assert cos.get_object(Bucket=SRC, Key="cold.txt")["Body"].get_raw_stream().read() == b"cold"
    assert cos.list_objects(Bucket=SRC, Prefix="cold")["Contents"][0]["RestoreStatus"] == "DONE"


def test_path_style_and_virtual_host_reach_the_same_bucket(emulator, cos):
    cos.put_object(Bucket=SRC, Key="p.txt", Body=b"path")
    assert requests.get(f"{emulator.url}/{SRC}/p.txt", timeout=10).content == b"path"
    put = requests.put(f"{emulator.url}/{SRC}/q.txt", data=b"from curl", timeout=10)
    assert put.headers["ETag"] == f'"{hashlib.md5(b"from curl").hexdigest()}"'
    assert cos.get_object(Bucket=SRC, Key="q.txt")["Body"].get_raw_stream().read() == b"from curl"
    listed = requests.get(f"{emulator.url}/{SRC}/", timeout=10)
    assert listed.status_code == 200 and b"<Key>q.txt</Key>" in listed.content
    for label in ("nobucketname", "no-appid"):
        refused = requests.get(f"{emulator.url}/x", headers={"Host": f"{label}.cos.ap-guangzhou.myqcloud.com"},
                               timeout=10)
        assert refused.status_code == 400 and b"<Code>InvalidRequest</Code>" in refused.content


@pytest.mark.parametrize("bucket", ["api-1250000000", "apis-1250000000", "version-1250000000",
                                    "openapi-1250000000", "jobs-1250000000", "v2-1250000000"])
def test_path_style_buckets_named_like_other_services_prefixes_are_buckets(emulator, cos, bucket):
    """The object routes are matched before the services' path prefixes (/api, /jobs, /v2/...)."""
    assert requests.put(f"{emulator.url}/{bucket}", timeout=10).status_code == 200
    assert requests.put(f"{emulator.url}/{bucket}/k", data=b"mine", timeout=10).status_code == 200
    assert requests.get(f"{emulator.url}/{bucket}/k", timeout=10).content == b"mine"
    listed = requests.get(f"{emulator.url}/{bucket}", timeout=10)
    assert listed.status_code == 200 and f"<Name>{bucket}</Name>".encode() in listed.content


def test_an_error_names_its_resource_as_cos_does(emulator, cos):
    """Object calls: <bucket host>/<key>; bucket calls by virtual host: the host alone."""
    host = "nob-1250000000.cos.ap-guangzhou.myqcloud.com"
    for path, resource in (("/", host), ("/dir/k%20x", f"{host}/dir/k%20x")):
        answer = requests.get(f"{emulator.url}{path}", headers={"Host": host}, timeout=10)
        assert answer.status_code == 404 and f"<Resource>{resource}</Resource>".encode() in answer.content


def test_only_errors_carry_a_trace_id(emulator, cos):
    put = cos.put_object(Bucket=SRC, Key="k", Body=b"x")
    assert "x-cos-request-id" in put and "x-cos-trace-id" not in put
    assert "x-cos-trace-id" not in cos.head_object(Bucket=SRC, Key="k")
    missing = requests.get(f"{emulator.url}/{SRC}/nope", timeout=10)
    trace = missing.headers["x-cos-trace-id"]
    assert missing.status_code == 404 and f"<TraceId>{trace}</TraceId>".encode() in missing.content


def test_a_path_style_error_names_the_bucket_host_too(emulator, cos):
    """Path style on 127.0.0.1: `<bucket>.cos.<region>.myqcloud.com[/<key>]`, the region the bucket's (or the
    Host's `cos.<region>` labels, else the default, for a bucket that does not exist)."""
    requests.put(f"{emulator.url}/cd-1250000000", headers={"Host": "cos.ap-chengdu.myqcloud.com"}, timeout=10)
    for path, host, resource in (
            ("/nob-1250000000", None, "nob-1250000000.cos.ap-guangzhou.myqcloud.com"),
            ("/nob-1250000000/", None, "nob-1250000000.cos.ap-guangzhou.myqcloud.com"),
            (f"/{SRC}/dir/k%20x", None, f"{SRC}.cos.ap-guangzhou.myqcloud.com/dir/k%20x"),
            ("/cd-1250000000/nope", None, "cd-1250000000.cos.ap-chengdu.myqcloud.com/nope"),
            ("/nob-1250000000/k", "cos.ap-beijing.myqcloud.com", "nob-1250000000.cos.ap-beijing.myqcloud.com/k")):
        answer = requests.get(f"{emulator.url}{path}", headers={"Host": host} if host else {}, timeout=10)
        assert answer.status_code == 404 and f"<Resource>{resource}</Resource>".encode() in answer.content, path


def test_a_wrong_signature_is_refused_as_the_batch_api_refuses_it(emulator, cos):
    wrong = emulator.client(secret_key="not-the-key")
    assert error_code(wrong.put_object, Bucket=SRC, Key="k", Body=b"x") == (403, "SignatureDoesNotMatch")


def test_bounds_refuse_a_large_object_and_a_full_store_with_entity_too_large(cos):
    cos.put_object(Bucket=SRC, Key="exact", Body=b"x" * 1000)  # the bound is inclusive
    assert error_code(cos.put_object, Bucket=SRC, Key="big", Body=b"x" * 1001) == (400, "EntityTooLarge")
    cos.put_object(Bucket=SRC, Key="two", Body=b"x" * 1000)
    cos.put_object(Bucket=SRC, Key="three", Body=b"x" * 1000)
    with pytest.raises(CosServiceError) as raised:
        cos.put_object(Bucket=SRC, Key="four", Body=b"x")
    assert raised.value.get_error_code() == "EntityTooLarge" and "--cos-max-store-bytes" in raised.value.get_error_msg()
    cos.put_object(Bucket=SRC, Key="three", Body=b"y" * 1000)  # an overwrite of the same size still fits
    assert error_code(cos.copy_object, Bucket=SRC, Key="four", CopySource={**COPY_SOURCE, "Key": "two"}) == (
        400, "EntityTooLarge")
    cos.copy_object(Bucket=SRC, Key="two", CopySource={**COPY_SOURCE, "Key": "three"}, CopyStatus="Replaced")
    assert [c["Key"] for c in cos.list_objects(Bucket=SRC)["Contents"]] == ["exact", "three", "two"]
    assert cos.get_object(Bucket=SRC, Key="two")["Body"].get_raw_stream().read() == b"y" * 1000


def test_a_chunked_upload_past_the_object_bound_is_refused_while_it_streams(emulator, cos):
    def chunks():
        for _ in range(11):
            yield b"x" * 100

    answer = requests.put(f"{emulator.url}/{SRC}/streamed", data=chunks(), timeout=10)  # no Content-Length
    assert answer.status_code == 400 and b"<Code>EntityTooLarge</Code>" in answer.content
    assert "Contents" not in cos.list_objects(Bucket=SRC)


def test_another_appids_bucket_is_access_denied(emulator, cos):
    other = "other-1250000001"
    assert requests.put(f"{emulator.url}/{other}", timeout=10).status_code == 200  # unsigned: accepted by default
    # the fixture key belongs to APPID 1250000000
    assert error_code(cos.put_object, Bucket=other, Key="k", Body=b"x") == (403, "AccessDenied")
    assert error_code(cos.create_bucket, Bucket="another-1250000001") == (403, "AccessDenied")


def test_under_strict_authentication_unsigned_object_calls_are_refused():
    with served(auth=frozenset({"cos_batch"}), clock_start=datetime.now(timezone.utc)) as running:  # the SDK signs for now
        running.client().create_bucket(Bucket=SRC)
        assert requests.put(f"{running.url}/{SRC}/k", data=b"x", timeout=10).status_code == 403
        unsigned = requests.get(f"{running.url}/k", headers={"Host": f"{SRC}.cos.ap-guangzhou.myqcloud.com"},
                                timeout=10)
        assert unsigned.status_code == 403 and b"<Code>AccessDenied</Code>" in unsigned.content
        running.client().put_object(Bucket=SRC, Key="k", Body=b"signed")
        assert running.client().get_object(Bucket=SRC, Key="k")["Body"].get_raw_stream().read() == b"signed"


@pytest.mark.parametrize("signed_path", [f"/{SRC}/k", "/k"])
def test_under_strict_authentication_path_style_requests_signed_either_way_are_accepted(signed_path):
    """A path-style request may be signed over /<bucket>/<key> or over /<key>, as a virtual-host one is."""
    config = CosConfig(Region="ap-guangzhou", SecretId=SECRET_ID, SecretKey=SECRET_KEY)
    host = {"Host": "cos.ap-guangzhou.myqcloud.com"}  # the path-style host: no bucket label
    with served(auth=frozenset({"cos_batch"}), clock_start=datetime.now(timezone.utc)) as running:
        running.client().create_bucket(Bucket=SRC)
        put = requests.put(f"{running.url}/{SRC}/k", data=b"path", headers=host, timeout=10,
                           auth=CosS3Auth(config, key=signed_path))
        assert put.status_code == 200, put.text
        got = requests.get(f"{running.url}/{SRC}/k", headers=host, timeout=10, auth=CosS3Auth(config, key=signed_path))
        assert (got.status_code, got.content) == (200, b"path")
        other = requests.get(f"{running.url}/{SRC}/k", headers=host, timeout=10, auth=CosS3Auth(config, key="/j"))
        assert other.status_code == 403 and b"<Code>SignatureDoesNotMatch</Code>" in other.content


def test_a_bucket_keeps_the_region_of_the_host_it_was_created_by(emulator, cos):
    assert cos.head_bucket(Bucket=SRC)["x-cos-bucket-region"] == "ap-guangzhou"
    chengdu = requests.put(f"{emulator.url}/", headers={"Host": "cd-1250000000.cos.ap-chengdu.myqcloud.com"},
                           timeout=10)
    assert chengdu.status_code == 200
    virtual_host = {"Host": "cd-1250000000.cos.ap-beijing.myqcloud.com"}  # the region asked in the Host is not compared
    for request in ({"url": f"{emulator.url}/cd-1250000000"}, {"url": f"{emulator.url}/", "headers": virtual_host}):
        answer = requests.head(timeout=10, **request)
        assert (answer.status_code, answer.headers["x-cos-bucket-region"]) == (200, "ap-chengdu")
    listed = requests.get(f"{emulator.url}/cd-1250000000/", timeout=10)
    assert listed.headers["x-cos-bucket-region"] == "ap-chengdu" and b"<Name>cd-1250000000</Name>" in listed.content


@pytest.mark.parametrize(("method", "path", "headers", "body", "status", "code"), [
    ("PUT", "/k", {"Content-MD5": "not base64"}, b"x", 400, "InvalidDigest"),
    ("PUT", "/k", {"Content-MD5": "7o3pGNBWQBRbGPcPTDqmAg=="}, b"x", 400, "BadDigest"),
    ("PUT", "/k", {"x-cos-storage-class": "COLD"}, b"x", 400, "NotSupportedStorageClass"),
    ("PUT", "/k", {"x-cos-tagging": "&".join(f"k{n}=v" for n in range(11))}, b"x", 400, "InvalidTag"),
    ("PUT", "/k", {"x-cos-meta-bad_name": "v"}, b"x", 400, "InvalidArgument"),
    ("PUT", "/k", {"x-cos-copy-source": "no-bucket-here"}, b"", 400, "InvalidCopySource"),
    ("PUT", "/k", {"x-cos-copy-source": f"/{SRC}/k", "x-cos-metadata-directive": "Sometimes"}, b"", 400,
     "InvalidArgument"),
    ("PUT", "/k?acl", {}, b"", 501, "NotImplemented"),
    ("PUT", "/" + "k" * 851, {}, b"x", 400, "KeyTooLong"),
    ("POST", "/k?restore", {}, b"<RestoreRequest><Days>x</Days></RestoreRequest>", 400, "InvalidArgument"),
    ("POST", "/k?restore", {}, b"<nope", 400, "MalformedXML"),
    ("POST", "/k?restore", {}, b"<RestoreRequest><Days>1</Days></RestoreRequest>", 400, "MalformedXML"),
    ("POST", "/k?restore", {}, b"<RestoreRequest><Days>1</Days><CASJobParameters/></RestoreRequest>", 400,
     "MalformedXML"),
    ("POST", "/k?restore", {}, b"<RestoreRequest><Days>1</Days><GlacierJobParameters><Tier>Bulk</Tier>"
                               b"</GlacierJobParameters></RestoreRequest>", 400, "MalformedXML"),
    ("POST", "/k?restore", {}, b"<RestoreRequest><CASJobParameters><Tier>Bulk</Tier></CASJobParameters>"
                               b"</RestoreRequest>", 400, "MalformedXML"),
    ("POST", "/k", {}, b"", 501, "NotImplemented"),
    ("PUT", "/k?tagging", {}, b"<Tagging><TagSet><Tag><Key>a b</Key></Tag></TagSet></Tagging>", 200, None),
    ("GET", "/?max-keys=-1", {}, None, 400, "InvalidArgument"),
    ("GET", "/?delimiter=ab", {}, None, 400, "InvalidDelimiter"),
    ("GET", "/?encoding-type=base64", {}, None, 400, "InvalidArgument"),
    ("PATCH", "/k", {}, b"", 405, "MethodNotAllowed"),
    ("PUT", "/", {}, b"", 409, "BucketAlreadyOwnedByYou"),
    ("DELETE", "/", {}, None, 409, "BucketNotEmpty"),
])
def test_bad_object_requests_get_cos_errors_never_a_server_error(emulator, cos, method, path, headers, body, status,
                                                                code):
    cos.put_object(Bucket=SRC, Key="k", Body=b"x")
    answer = requests.request(method, f"{emulator.url}{path}", data=body, timeout=10,
                              headers={"Host": f"{SRC}.cos.ap-guangzhou.myqcloud.com", **headers})
    assert answer.status_code == status, answer.text
    if code is not None:
        assert f"<Code>{code}</Code>".encode() in answer.content


def test_ranges_and_conditions(emulator, cos):
    put = cos.put_object(Bucket=SRC, Key="r", Body=b"0123456789")
    url, host = f"{emulator.url}/r", {"Host": f"{SRC}.cos.ap-guangzhou.myqcloud.com"}
    ranged = requests.get(url, headers={**host, "Range": "bytes=2-4"}, timeout=10)
    assert (ranged.status_code, ranged.content, ranged.headers["Content-Range"]) == (206, b"234", "bytes 2-4/10")
    assert requests.get(url, headers={**host, "Range": "bytes=-3"}, timeout=10).content == b"789"
    assert requests.get(url, headers={**host, "Range": "bytes=20-"}, timeout=10).status_code == 416
    assert requests.get(url, headers={**host, "If-None-Match": put["ETag"]}, timeout=10).status_code == 304
    assert requests.get(url, headers={**host, "If-Match": '"nope"'}, timeout=10).status_code == 412


def test_a_presigned_url_of_the_sdk_is_served_and_its_signature_checked():
    """get_presigned_download_url / get_presigned_url: the signature rides in the query string; the emulator reads
    it there (a wrong key, a changed parameter or an expired window refused as for a signed header) and no longer
    takes its q-* parameters for an unknown sub-resource (501 before)."""
    host = {"Host": f"{SRC}.cos.ap-guangzhou.myqcloud.com"}  # the SDK's IP setting leaves the bucket to the Host,
    # and signs the Host it is given (else the IP's)
    with served(auth=frozenset({"cos_batch"}), clock_start=datetime.now(timezone.utc)) as running:
        sdk = running.client()
        sdk.create_bucket(Bucket=SRC)
        put = requests.put(sdk.get_presigned_url(Bucket=SRC, Key="shared.txt", Method="PUT", Headers=host),
                           data=b"via url", headers=host, timeout=10)
        assert put.status_code == 200, put.text
        url = sdk.get_presigned_download_url(Bucket=SRC, Key="shared.txt", Headers=host,
                                             Params={"response-content-type": "a/b"})
        got = requests.get(url, headers=host, timeout=10)
        assert (got.status_code, got.content, got.headers["Content-Type"]) == (200, b"via url", "a/b")
        forged = running.client(secret_key="not-the-key").get_presigned_download_url(Bucket=SRC, Key="shared.txt",
                                                                                     Headers=host)
        refused = requests.get(forged, headers=host, timeout=10)
        assert refused.status_code == 403 and b"<Code>SignatureDoesNotMatch</Code>" in refused.content
        changed = requests.get(url.replace("a%2Fb", "text%2Fplain"), headers=host, timeout=10)  # a signed param
        assert changed.status_code == 403 and b"<Code>SignatureDoesNotMatch</Code>" in changed.content
        requests.post(f"{running.url}/_emulator/clock", json={"advance_seconds": 3600}, timeout=10)
        expired = requests.get(url, headers=host, timeout=10)  # 300 s by default
        assert expired.status_code == 403 and b"Request has expired" in expired.content
