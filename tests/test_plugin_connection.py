"""The pytest plugin's admin calls share one kept-alive connection, opened again when the emulator dropped it."""
from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator

import pytest

from emulator.pytest_plugin import CloudJobEmulator, EmulatorError


class DropsEachConnection(http.server.BaseHTTPRequestHandler):
    """Answers one request per connection in HTTP/1.1 without `Connection: close`, then closes it: a kept-alive
    connection the server has meanwhile closed, as an idle timeout or a restart leaves it."""

    protocol_version = "HTTP/1.1"
    connections: list[int] = []

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        self.connections.append(id(self.connection))
        status, body = (200, {"now": self.path}) if "missing" not in self.path else (404, {"error": "NotFound"})
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def dropping_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), DropsEachConnection)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_admin_calls_reopen_a_connection_the_server_closed(dropping_server):
    DropsEachConnection.connections.clear()
    emulator = CloudJobEmulator(dropping_server)
    for _ in range(3):
        assert emulator.admin("GET", "clock") == {"now": "/_emulator/clock"}
    assert len(DropsEachConnection.connections) == 3  # each call answered, on a new connection each time
    with pytest.raises(EmulatorError, match="GET missing: 404"):
        emulator.admin("GET", "missing")
    emulator.close()


def test_admin_calls_keep_one_connection(cloud_job_emulator):
    cloud_job_emulator.now()
    kept = cloud_job_emulator._connection
    assert kept is not None and kept.sock is not None
    cloud_job_emulator.advance(5)
    cloud_job_emulator.reset()
    assert cloud_job_emulator._connection is kept and cloud_job_emulator.now() == "2026-01-01T00:00:00Z"
