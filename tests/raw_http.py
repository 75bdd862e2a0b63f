"""Raw HTTP over a socket, for what an HTTP client would not send (undecodable headers, half-sent requests)."""
from __future__ import annotations

import asyncio


async def exchange(port: int, data: bytes, timeout: float = 10) -> tuple[int, bytes]:
    """Send `data` to 127.0.0.1:`port` and read until the server closes: the status and the whole answer.

    Send `Connection: close` in `data` so the server ends the exchange."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0
    return status, answer


def request(method: str, target: bytes | str, headers: dict[str, bytes | str] | None = None, body: bytes = b"") -> bytes:
    """One HTTP/1.1 request as bytes, closing the connection after it; header values are sent as given."""
    headers = {"Host": "127.0.0.1", "Connection": "close", **(headers or {})}
    lines = [f"{method} ".encode() + (target.encode() if isinstance(target, str) else target) + b" HTTP/1.1"]
    for name, value in headers.items():
        lines.append(name.encode() + b": " + (value.encode() if isinstance(value, str) else value))
    if body:
        lines.append(b"Content-Length: %d" % len(body))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body
