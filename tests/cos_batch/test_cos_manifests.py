"""Manifests read into task tuples: COSBatchOperations_CSV_V1 with its Spec/Fields columns, and
COSInventoryReport_CSV_V1's manifest.json with its gzip CSV files; a messy CSV manifest run end to end."""
from __future__ import annotations

import gzip
import hashlib
import json

import pytest
from cos_live import REGION, served
from cos_runs import DST, REP, SRC, body_of, create_job, describe, progress, read_report, run_to_the_end

from emulator.services.cos_batch.manifests import InvalidManifest, csv_tasks, inventory_tasks

FIELDS = ["Bucket", "Key"]


@pytest.mark.parametrize(("body", "fields", "tasks"), [
    (b"b-1,a\nb-1,c", FIELDS, [("b-1", "a", ""), ("b-1", "c", "")]),  # the last row without a newline
    (b"b-1,a\r\n\r\nb-1,c\r\n", FIELDS, [("b-1", "a", ""), ("b-1", "c", "")]),  # CRLF, a blank line
    (b"b-1, a%20b ,\n", ["Bucket", "Key", "Ignore"], [("b-1", "a%20b", "")]),  # spaces stripped, key as listed
    (b'"b-1","x,y"\n', FIELDS, [("b-1", "x,y", "")]),  # RFC 4180 quoting
    (b"Bucket,Key\nb-1,a\n", FIELDS, [("b-1", "a", "")]),  # a first row naming the fields is a header
    (b"b-1,a\nBucket,Key\n", FIELDS, [("b-1", "a", ""), ("Bucket", "Key", "")]),  # ... only as the first row
    (b"a,b-1,v1\n", ["Key", "Bucket", "VersionId"], [("b-1", "a", "v1")]),  # columns in the Fields order
], ids=["no-final-newline", "crlf", "spaces-ignore", "quoted", "header", "late-header", "order"])
def test_csv_rows_become_tasks(body, fields, tasks):
    assert csv_tasks(body, fields) == tasks


@pytest.mark.parametrize(("body", "fields", "reason"), [
    (b"b-1,a\nb-1\n", FIELDS, "Manifest line 2: expected 2 fields"),
    (b"\n\n", FIELDS, "The manifest lists no objects"),
    (b"Bucket,Key\n", FIELDS, "The manifest lists no objects"),
    (b"b-1,a\n", ["Bucket", "Ignore"], "The manifest fields must include Bucket and Key"),
    (b"\xffb-1,a\n", FIELDS, "The manifest is not UTF-8"),
])
def test_csv_manifests_that_cannot_be_read(body, fields, reason):
    with pytest.raises(InvalidManifest, match=reason):
        csv_tasks(body, fields)


def test_inventory_files_are_read_in_order_and_buckets_completed_with_their_appid():
    files = {"d/1.csv.gz": gzip.compress(b'"1250000000","src","a%2Bb","1"\n'),
             "d/2.csv": b'"1250000000","src-1250000000","c","1"\n'}
    document = {"fileSchema": "Appid, Bucket, Key, Size",
                "files": [{"key": "d/1.csv.gz", "md5Checksum": hashlib.md5(files["d/1.csv.gz"]).hexdigest()},
                          {"key": "d/2.csv"}]}
    assert inventory_tasks(json.dumps(document).encode(), files.get) == [
        ("src-1250000000", "a%2Bb", ""), ("src-1250000000", "c", "")]


@pytest.mark.parametrize(("document", "files", "reason"), [
    ({"fileSchema": "Appid, Size", "files": []}, {}, "The inventory schema lacks Bucket or Key"),
    ({"fileSchema": "Bucket, Key", "files": []}, {}, "The manifest lists no objects"),
    ({"fileSchema": "Bucket, Key", "files": [{"key": "d.csv.gz"}]}, {"d.csv.gz": b"plain"},
     "The inventory file d.csv.gz is not gzip"),
    ({"fileSchema": "Bucket, Key", "files": "d.csv"}, {}, "manifest.json is not an inventory manifest"),
])
def test_inventory_manifests_that_cannot_be_read(document, files, reason):
    with pytest.raises(InvalidManifest, match=reason):
        inventory_tasks(json.dumps(document).encode(), files.get)


def test_a_messy_manifest_runs_each_row_it_names():
    """Header row, spaces, CRLF, an Ignore column and URL-encoded keys, through a real job."""
    with served() as running:
        cos = running.client()
        for bucket in (SRC, DST, REP):
            cos.create_bucket(Bucket=bucket)
        for key in ("a b.txt", "c+d.txt", "é.txt"):
            cos.put_object(Bucket=SRC, Key=key, Body=key.encode())
        manifest = f"Bucket,Key,Ignore\r\n{SRC}, a%20b.txt ,x\r\n\r\n{SRC},c+d.txt,y\r\n{SRC},%C3%A9.txt,z".encode()
        etag = cos.put_object(Bucket=SRC, Key="m.csv", Body=manifest)["ETag"]
        job_id = create_job(running, etag, {"COSPutObjectCopy": {"TargetResource": f"qcs::cos:{REGION}::{DST}"}},
                            confirm=False, Manifest={
                                "Location": {"ETag": etag, "ObjectArn": f"qcs::cos:{REGION}::{SRC}/m.csv"},
                                "Spec": {"Fields": {"member": ["Bucket", "Key", "Ignore"]},
                                         "Format": "COSBatchOperations_CSV_V1"}})
        run_to_the_end(running)
        assert progress(describe(running, job_id)) == ("Complete", 3, 3, 0)
        assert [body_of(cos, DST, key) for key in ("a b.txt", "c+d.txt", "é.txt")] == [
            b"a b.txt", b"c+d.txt", "é.txt".encode()]
        _, rows = read_report(cos, job_id)
        assert [row[1] for row in rows["succeeded"]] == ["a%20b.txt", "c+d.txt", "%C3%A9.txt"]
