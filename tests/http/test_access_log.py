"""The access log writes what logging would write, in order, in batches, and all of it by close."""
from __future__ import annotations

import io
import logging
import re

import pytest

from emulator.http.access_log import FLUSH_LINES, LOG_FORMAT, AccessLog

LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO access\.test: GET /jobs/x\?a=1 404 1\.5ms 000000000007 "
                  r"cos_batch\.DescribeJob fault=3$")


@pytest.fixture
def stream():
    """A logger as the CLI sets one up (one stream handler, LOG_FORMAT), outside logging's tree (and pytest's)."""
    logger = logging.Logger("access.test", logging.INFO)
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logger.addHandler(handler)
    return logger, out


async def test_a_line_is_what_logging_writes_and_waits_for_its_batch(stream):
    logger, out = stream
    log = AccessLog(logger)
    assert log.handler is not None  # the direct path, not logger.info
    log.request("GET", "/jobs/x?a=1", 404, 1.49, "000000000007", "cos_batch.DescribeJob", 3)
    assert out.getvalue() == ""
    log.close()
    assert LINE.match(out.getvalue().rstrip("\n"))
    logger.info("GET %s", "/direct")
    assert out.getvalue().splitlines()[1].endswith("INFO access.test: GET /direct")


async def test_another_record_writes_the_waiting_lines_first(stream):
    logger, out = stream
    log = AccessLog(logger)
    log.request("GET", "/first", 200, 0.1, "1")
    logger.warning("later")
    lines = out.getvalue().splitlines()
    assert lines[0].endswith("GET /first 200 0.1ms 1 -") and lines[1].endswith("WARNING access.test: later")
    log.close()


async def test_a_full_batch_is_written_without_waiting(stream):
    logger, out = stream
    log = AccessLog(logger)
    for number in range(FLUSH_LINES):
        log.request("GET", f"/{number}", 200, 0.0, "-")
    assert len(out.getvalue().splitlines()) == FLUSH_LINES
    log.close()


async def test_logging_set_up_otherwise_gets_each_line_through_the_logger(stream):
    logger, out = stream
    second = io.StringIO()
    logger.addHandler(logging.StreamHandler(second))  # a second handler could want the record itself: go through logging
    log = AccessLog(logger)
    assert log.handler is None
    log.request("GET", "/jobs/x?a=1", 404, 1.49, "000000000007", "cos_batch.DescribeJob", 3)
    assert second.getvalue() == "GET /jobs/x?a=1 404 1.5ms 000000000007 cos_batch.DescribeJob fault=3\n"
    assert LINE.match(out.getvalue().rstrip("\n"))
