#!/usr/bin/env bash
# Makes localhost/cje-base:bookworm: Debian bookworm with python3, its venv module and pip, built from
# Debian's packages with debootstrap and imported into podman, for machines that reach Debian's mirror
# but no image registry. The Dockerfile builds on it as on python:3.12-slim:
#   podman build --build-arg BASE_IMAGE=localhost/cje-base:bookworm ...
# An existing image is kept (REBUILD=1 makes it anew). Needs root; podman, buildah and debootstrap are
# installed from Debian's packages when missing. IMAGE=... names another tag, MIRROR=... another mirror.
set -euo pipefail

image=${IMAGE:-localhost/cje-base:bookworm}
suite=bookworm

if [[ ${REBUILD:-0} != 1 ]] && command -v podman >/dev/null && podman image exists "$image"; then
  echo "$image is there already (REBUILD=1 to make it anew)"
  exit 0
fi
((EUID == 0)) || { echo "make-base-image.sh: debootstrap needs root" >&2; exit 1; }

missing=()
for tool in podman buildah debootstrap; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
  echo "installing ${missing[*]} from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The mirror apt already uses here (deb822 sources first, then the one-line format), not the security one.
mirror=${MIRROR:-}
if [[ -z $mirror ]]; then
  mirror=$(awk 'tolower($1) == "uris:" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
fi
if [[ -z $mirror ]]; then
  mirror=$(awk '$1 == "deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
fi
[[ -n $mirror ]] || { echo "make-base-image.sh: no Debian mirror in the apt sources; set MIRROR=..." >&2; exit 1; }

rootfs=$(mktemp -d /var/tmp/cje-base.XXXXXX)
cleanup() {  # debootstrap unmounts what it mounts, but an interrupted run may leave /proc or /sys in place
  local point
  for point in "$rootfs/dev/pts" "$rootfs/proc" "$rootfs/sys"; do
    if mountpoint -q "$point" 2>/dev/null; then umount -l "$point"; fi
  done
  rm -rf --one-file-system "$rootfs"
}
trap cleanup EXIT

echo "debootstrap $suite from $mirror (about a minute)"
debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
  "$suite" "$rootfs" "$mirror" >"$rootfs.log" 2>&1 || { tail -n 20 "$rootfs.log" >&2; rm -f "$rootfs.log"; exit 1; }
rm -f "$rootfs.log"

# pip inside an image build must trust what pip on this host trusts (a proxy here may re-sign TLS with
# its own authority): the host's CA bundle, and pip told to use it.
cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' >"$rootfs/etc/pip.conf"
# No package lists or downloaded packages in the image.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb

tar --numeric-owner -C "$rootfs" -c . |
  podman import --quiet --change 'ENV LANG=C.UTF-8' --change 'CMD ["/bin/bash"]' - "$image" >/dev/null
echo "made $image"
