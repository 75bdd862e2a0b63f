"""Tencent COS Batch Operations jobs (`<uin>.cos-control.<region>.myqcloud.com/jobs...`), XML in and out.

Emulated: CreateJob, DescribeJob, ListJobs (jobStatuses, maxResults, nextToken), UpdateJobPriority,
UpdateJobStatus (seed 004) and the Go SDK's undocumented DeleteJob; jobs scoped by `x-cos-appid`;
the 13-status state machine, stepping on the emulator clock (New -> Preparing -> Suspended or
Ready -> Active -> Completing -> Complete, Cancelling -> Cancelled) with ProgressSummary,
SuspendedDate, TerminationDate and StatusUpdateReason following the job; COS's XML layout and
`<Error>` documents and headers; Content-MD5; the q-sign-algorithm=sha1 signature for keys given
in fixtures or by `--cos-key`, with its time window under strict authentication; routing on the
path alone, so any Host works.

Not emulated: running the operation (no object is copied or restored, no manifest is read: every
job holds DEFAULT_TASKS_PER_JOB tasks, all of which succeed), report files, failures and
pre-emption by priority (Failing, Pausing and Paused come only from fixtures), the 90-day
retention of finished jobs, CAM permissions, presigned (query-string) signatures, TooManyJobs and
ServiceUnavailable.
"""
