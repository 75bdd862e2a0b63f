"""Tencent COS Batch Operations jobs (`<uin>.cos-control.<region>.myqcloud.com/jobs...`), XML in and out.

Emulated: CreateJob, DescribeJob, ListJobs (jobStatuses, maxResults, nextToken), UpdateJobPriority,
UpdateJobStatus (seed 004) and the Go SDK's undocumented DeleteJob; jobs scoped by `x-cos-appid`;
the 13-status state machine, stepping on the emulator clock (New -> Preparing -> Suspended or
Ready -> Active -> Completing -> Complete, Cancelling -> Cancelled) with ProgressSummary,
SuspendedDate, TerminationDate and StatusUpdateReason following the job; COS's XML layout and
`<Error>` documents and headers; Content-MD5; the q-sign-algorithm=sha1 signature for keys given
in fixtures or by `--cos-key`, with its time window under strict authentication; the job API
routed on the path alone, so any Host works.

The object store beside it (objects.py, object_*.py): buckets `<name>-<APPID>` by virtual host
(routed by the Host header before any path routing) or path style, the COS XML object API, restores
on the clock, bounded by `--cos-max-object-bytes` and `--cos-max-store-bytes`. Jobs whose manifest
the store holds do their work (runner.py: manifest read in Preparing, copy/restore tasks while
Active, the failure threshold, reports.py: the completion report as objects); the others hold
DEFAULT_TASKS_PER_JOB imaginary tasks, all of which succeed, unless `--cos-strict-manifests`.
Buckets, objects and runs live in store collections, so the state file keeps them (saved.py: the
saved rows checked at start and made live again).

Not emulated: pre-emption by priority (Pausing and Paused come only from fixtures and the admin
API), the 90-day retention of finished jobs, CAM permissions, multipart uploads, versioning,
TooManyJobs and ServiceUnavailable.
"""
