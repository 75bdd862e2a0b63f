"""HTTP handlers of Sahara EDP v1.1 (data sources, execute, job-executions): read the request, call a registry, answer."""
from __future__ import annotations

from aiohttp import web

from emulator.services.mrs import datasources, edp
from emulator.services.mrs.datasources import DataSourceRegistry
from emulator.services.mrs.edp import EdpRegistry
from emulator.services.mrs.wire import answer, json_body, listed, project_of


class EdpApi:
    """Data sources and job executions, named after python-saharaclient's calls."""

    def __init__(self, executions: EdpRegistry, sources: DataSourceRegistry) -> None:
        self.executions = executions
        self.sources = sources

    async def create_data_source(self, request: web.Request) -> web.Response:
        project = project_of(request)
        source = self.sources.create(project, await json_body(request))
        return answer(202, {"data_source": datasources.render(source)})

    async def list_data_sources(self, request: web.Request) -> web.Response:
        sources, markers = self.sources.list(project_of(request), request.query)
        return listed("data_sources", [datasources.render(source) for source in sources], markers)

    async def get_data_source(self, request: web.Request) -> web.Response:
        source = self.sources.get(project_of(request), request.match_info["data_source_id"])
        return answer(200, {"data_source": datasources.render(source)})

    async def update_data_source(self, request: web.Request) -> web.Response:
        project = project_of(request)
        body = await json_body(request)
        source = self.sources.update(project, request.match_info["data_source_id"], body,
                                     self.executions.uses_source)
        return answer(202, {"data_source": datasources.render(source)})

    async def delete_data_source(self, request: web.Request) -> web.Response:
        self.sources.delete(project_of(request), request.match_info["data_source_id"], self.executions.uses_source)
        return web.Response(status=204)

    async def execute_job(self, request: web.Request) -> web.Response:
        project = project_of(request)
        body = await json_body(request)
        execution = self.executions.execute(project, request.match_info["job_id"], body)
        return answer(202, {"job_execution": edp.render(execution)})

    async def list_job_executions(self, request: web.Request) -> web.Response:
        executions, markers = self.executions.list(project_of(request), request.query)
        return listed("job_executions", [edp.render(execution) for execution in executions], markers)

    async def get_job_execution(self, request: web.Request) -> web.Response:
        execution = self.executions.get(project_of(request), request.match_info["job_execution_id"])
        return answer(200, {"job_execution": edp.render(execution)})

    async def refresh_job_execution_status(self, request: web.Request) -> web.Response:
        # the clock already drives the status: refreshing is reading
        return await self.get_job_execution(request)

    async def cancel_job_execution(self, request: web.Request) -> web.Response:
        execution = self.executions.cancel(project_of(request), request.match_info["job_execution_id"])
        return answer(200, {"job_execution": edp.render(execution)})

    async def update_job_execution(self, request: web.Request) -> web.Response:
        project = project_of(request)
        body = await json_body(request)
        execution = self.executions.update(project, request.match_info["job_execution_id"], body)
        return answer(202, {"job_execution": edp.render(execution)})

    async def delete_job_execution(self, request: web.Request) -> web.Response:
        self.executions.delete(project_of(request), request.match_info["job_execution_id"])
        return web.Response(status=204)
