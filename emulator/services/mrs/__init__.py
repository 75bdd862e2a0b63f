"""Huawei MRS: Sahara-compatible v1.1 job objects and binaries, clusters, and job executions in three API generations.

Emulated, under /v1.1/{project_id}: job objects (POST, GET list, GET, PATCH, DELETE on /jobs) and
job binaries (POST, GET list, GET, PUT, DELETE on /job-binaries) with Sahara's status codes,
Huawei's shapes (seed 002) and limits, Sahara's validation messages, list paging (limit, marker,
sort_by, markers) and filters, the refusal to delete a binary a job uses, a required
X-Auth-Token (any non-empty value; Keystone's 401 without one; under strict authentication a listed
token bound to the path's project, see `authn`) and one error envelope read by
both python-saharaclient and the Huawei SDK (see errors.py). Where Sahara and the issue differ, the
issue wins: PUT on a missing binary is 404 (Sahara: 400) and a null description is accepted on
create (Sahara refuses it).

Also emulated: clusters from fixtures (cluster_infos), Sahara EDP data sources and job executions
(edp.py, datasources.py), MRS v1.1's own submit-job / job-exes (job_exes.py) and MRS v2
job-executions (executions.py), all run on the emulator's clock, in MRS's own error envelope on its
own paths (errors.render_native), with AK/SK SDK-HMAC-SHA256 signatures checked under strict
authentication (authn.py).

Not emulated: config hints, binary data download, Sahara's `.json` route variants and routes
without a project, public objects shared across projects, policy (403), token validation against
Keystone, job interface arguments (Huawei does not support them: a non-empty list is refused on
create and ignored on PATCH), suspending executions, and the protection flags of jobs and binaries:
`is_public`/`is_protected` are stored and shown but nothing is refused because of them, and PATCH
leaves them as they are, as seed 002 says (an execution's and a data source's `is_protected` are enforced).
"""
from emulator.services.mrs.service import MrsService

__all__ = ["MrsService"]
