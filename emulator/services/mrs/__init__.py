"""Huawei MRS v1.1 job objects (Sahara-compatible) and the job binaries they use, per project.

Emulated, under /v1.1/{project_id}: job objects (POST, GET list, GET, PATCH, DELETE on /jobs) and
job binaries (POST, GET list, GET, PUT, DELETE on /job-binaries) with Sahara's status codes,
Huawei's shapes (seed 002) and limits, Sahara's validation messages, list paging (limit, marker,
sort_by, markers) and filters, the refusal to delete a binary a job uses, a required
X-Auth-Token (any non-empty value; Keystone's 401 without one; under strict authentication a listed
token bound to the path's project, see `authn`) and one error envelope read by
both python-saharaclient and the Huawei SDK (see errors.py). Where Sahara and the issue differ, the
issue wins: PUT on a missing binary is 404 (Sahara: 400) and a null description is accepted on
create (Sahara refuses it).

Not emulated: job executions (/jobs/{id}/execute, /job-exes, /job-executions, /jobs/submit-job),
config hints, binary data download, Sahara's `.json` route variants and routes without a project,
public objects shared across projects, policy (403), token validation against Keystone, job
interface arguments (Huawei does not support them: a non-empty list is refused on create and
ignored on PATCH), and the protection flags: `is_public`/`is_protected` are stored and shown but
nothing is refused because of them, and PATCH leaves them as they are, as seed 002 says.
"""
from emulator.services.mrs.service import MrsService

__all__ = ["MrsService"]
