# The emulator as a container image. Build:  docker build -t cloud-job-emulator .
# Any base with python3, venv and pip works:  --build-arg BASE_IMAGE=...
ARG BASE_IMAGE=python:3.12-slim
FROM ${BASE_IMAGE}

# Extra packages for the same venv, e.g. "pytest" for docker-compose.yml's test container; none by default.
ARG EXTRA_PACKAGES=""

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/emulator/bin:$PATH \
    EMULATOR_HOST=0.0.0.0 \
    EMULATOR_PORT=8080 \
    EMULATOR_FIXTURES=/fixtures

COPY pyproject.toml README.md /tmp/src/
COPY emulator /tmp/src/emulator
COPY fixtures /tmp/src/fixtures
RUN python3 -m venv /opt/emulator \
 && /opt/emulator/bin/pip install --no-cache-dir --disable-pip-version-check /tmp/src ${EXTRA_PACKAGES} \
 && rm -rf /tmp/src

# The bundled fixtures live in /fixtures: a volume mounted there replaces them (an empty one starts empty).
COPY fixtures /fixtures
# A place for --state-file (EMULATOR_STATE_FILE=/data/state.json) that the non-root user can write.
RUN useradd --uid 10001 --user-group --no-create-home --home-dir /data --shell /usr/sbin/nologin emulator \
 && install -d -o emulator -g emulator /data

USER emulator
WORKDIR /data
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["/opt/emulator/bin/python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_emulator/health' % os.environ.get('EMULATOR_PORT', '8080'), timeout=2)"]
CMD ["/opt/emulator/bin/cloud-job-emulator"]
