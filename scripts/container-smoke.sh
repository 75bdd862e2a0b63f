#!/usr/bin/env bash
# Builds the container image with podman and runs it without a Docker engine (buildah run, chroot isolation):
# health and one call of each service from outside, the image's HEALTHCHECK inside, the docker-compose
# example's test container against it, then a graceful stop. Exits non-zero on the first failure.
# Needs podman and buildah (apt-get install -y podman buildah) and, to make the local base image once
# (scripts/make-base-image.sh), root. BASE_IMAGE=python:3.12-slim uses that image instead, where a registry is reached.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
base=${BASE_IMAGE:-localhost/cje-base:bookworm}
image=${IMAGE:-localhost/cloud-job-emulator}
tests_image=$image-tests
log=$(mktemp)
container="" emulator_job=""

step() { printf '\n== %s\n' "$*"; }
fail() { echo "FAIL: $*" >&2; [ -s "$log" ] && { echo "--- emulator output:" >&2; cat "$log" >&2; }; exit 1; }

cleanup() {
  [ -n "$emulator_job" ] && kill "$emulator_job" 2>/dev/null && wait "$emulator_job" 2>/dev/null
  [ -n "$container" ] && buildah rm "$container" >/dev/null 2>&1
  rm -f "$log"
}
trap cleanup EXIT

for tool in podman buildah curl python3; do
  command -v "$tool" >/dev/null || fail "$tool is missing (apt-get install -y podman buildah curl python3)"
done

step "base image $base"
if [[ $base == localhost/cje-base:* ]]; then
  IMAGE=$base "$root/scripts/make-base-image.sh"
fi

step "build $image"
build=(podman build --format docker --isolation=chroot --build-arg "BASE_IMAGE=$base")
"${build[@]}" -q -t "$image" "$root" || fail "podman build"

# What the image says it runs, and how it checks its health.
inspect=$(podman image inspect "$image")
mapfile -t cmd < <(python3 -c "import json, sys; print(*json.load(sys.stdin)[0]['Config']['Cmd'], sep='\n')" <<<"$inspect")
mapfile -t check < <(python3 -c "
import json, sys
test = (json.load(sys.stdin)[0].get('Healthcheck') or {}).get('Test') or []
if test[:1] == ['CMD']: print(*test[1:], sep='\n')
elif test[:1] == ['CMD-SHELL']: print('/bin/sh', '-c', test[1], sep='\n')" <<<"$inspect")
((${#cmd[@]})) || fail "the image has no CMD"
((${#check[@]})) || fail "the image has no HEALTHCHECK (was it built with --format docker?)"
echo "CMD: ${cmd[*]}"
echo "HEALTHCHECK: ${check[*]}"

port=$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
url=http://127.0.0.1:$port

step "run the image's CMD on port $port"
container=$(buildah from "$image")
buildah config --env "EMULATOR_PORT=$port" "$container"  # the HEALTHCHECK reads it too
buildah run --isolation chroot "$container" -- "${cmd[@]}" >"$log" 2>&1 &
emulator_job=$!
for _ in $(seq 150); do
  grep -q "listening on http://" "$log" && break
  kill -0 "$emulator_job" 2>/dev/null || fail "the emulator exited at start"
  sleep 0.2
done
grep "listening on http://" "$log" | head -n 1 || fail "no URL line within 30 s"

expect() {  # expect NAME STATUS TEXT curl-arguments...: the call answers STATUS with TEXT in its body
  local name=$1 status=$2 text=$3 body
  shift 3
  body=$(curl -sS --max-time 10 -w '\n%{http_code}' "$@") || fail "$name: no answer"
  [[ ${body##*$'\n'} == "$status" ]] || fail "$name: status ${body##*$'\n'}, expected $status"
  [[ $body == *"$text"* ]] || fail "$name: no '$text' in the answer"
  echo "ok  $name -> $status"
}

step "calls from outside the container"
expect "GET /_emulator/health" 200 '"status":"ok"' "$url/_emulator/health"
expect "kubernetes: read job pi's status" 200 '"name": "pi"' \
  "$url/apis/batch/v1/namespaces/namespace-test/jobs/pi/status"
expect "mrs: get job b8ea4daa-..." 200 '"id":"b8ea4daa-0042-45e0-a522-e8b714e74760"' -H 'X-Auth-Token: any' \
  "$url/v1.1/5a3314075bfa49b9ae360f4ecd333695/jobs/b8ea4daa-0042-45e0-a522-e8b714e74760"
expect "cos_batch: DescribeJob 53dc6228-..." 200 '<Status>Complete</Status>' -H 'x-cos-appid: 1250000000' \
  "$url/jobs/53dc6228-c50b-46f7-8ad7-65e7159f1aae"

step "the image's HEALTHCHECK, inside the container"
buildah run --isolation chroot "$container" -- "${check[@]}" || fail "HEALTHCHECK exited $?"
echo "ok  HEALTHCHECK exited 0"
uid=$(buildah run --isolation chroot "$container" -- /opt/emulator/bin/python -c "import os; print(os.getuid())")
((uid != 0)) || fail "the image runs as root"
echo "ok  runs as uid $uid, not root"

step "the docker-compose example's test container (the image with pytest) against it"
"${build[@]}" -q --build-arg EXTRA_PACKAGES=pytest -t "$tests_image" "$root" >/dev/null || fail "build $tests_image"
tests=$(buildah from "$tests_image")
status=0
buildah run --isolation chroot --env "EMULATOR_URL=$url" --volume "$root/examples/compose:/tests:ro" "$tests" -- \
  /opt/emulator/bin/python -m pytest -p no:cacheprovider -q /tests || status=$?
buildah rm "$tests" >/dev/null
((status == 0)) || fail "the example tests exited $status"

step "stop with SIGTERM (the image's STOPSIGNAL)"
descendants() { local child; for child in $(pgrep -P "$1"); do echo "$child"; descendants "$child"; done; }
target=""
for pid in $(descendants "$emulator_job"); do  # the emulator itself, not buildah's wrappers around it
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == cloud-job-emu* ]] && target=$pid
done
[ -n "$target" ] || fail "cannot find the emulator's process"
kill -TERM "$target"
status=0
wait "$emulator_job" || status=$?
emulator_job=""
((status == 0)) || fail "the emulator exited $status on SIGTERM"
! grep -q Traceback "$log" || fail "a traceback in the emulator's output"
echo "ok  exited 0"

step "PASS: $image builds, serves every service, passes its HEALTHCHECK and stops cleanly"
