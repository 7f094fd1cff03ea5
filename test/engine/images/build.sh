#!/usr/bin/env bash
# Builds the local look-alikes under the exact tags the product starts (tags.ts reads them from the product's own
# sources), each labelled org.o11y-lab.look-alike. An image is rebuilt only when its inputs change (their hash is
# the label org.o11y-lab.inputs). Needs the engine running (engine.sh start) and engine.sh install done.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../../.." && pwd)"
CACHE="${O11Y_LAB_CACHE:-$HOME/.cache/o11y-lab}"
E="$CACHE/engine"
eval "$(bash "$REPO_ROOT/test/setup/engine.sh" env)"
PEERS="$CACHE/peers.json"
peer() { python3 -c "import json,sys; print(json.load(open('$PEERS'))$1)"; }
LABEL=org.o11y-lab.inputs

current() { docker image inspect --format "{{index .Config.Labels \"$LABEL\"}}" "$1" 2>/dev/null || true; }

# import <tag> <tarball> <label text>
import_rootfs() {
  local tag=$1 tar=$2 hash
  hash=$(printf '%s %s' "$tar" "$(stat -c %s "$tar")" | sha256sum | cut -c1-16)
  [ "$(current "$tag")" = "$hash" ] && return
  echo "images: importing $tag"
  docker import --change "LABEL org.o11y-lab.look-alike=\"$tag\" org.o11y-lab.look-alike.differs=\"$3\" $LABEL=$hash" \
    --change 'CMD ["bash"]' "$tar" "$tag" >/dev/null
}

# build <tag> <dockerfile> <context dir> [build args…]
build() {
  local tag=$1 file=$2 ctx=$3 hash
  shift 3
  # The tools base is an input too: a new root filesystem rebuilds everything made from it.
  hash=$( (cat "$file"; printf '%s\n' "$@" "$(docker image inspect --format '{{.Id}}' o11y-lab-test/debian-tools:12)"
    find "$ctx" -type f -printf '%P %s\n' | sort) | sha256sum | cut -c1-16)
  [ "$(current "$tag")" = "$hash" ] && return
  echo "images: building $tag"
  local args=()
  for a in "$@"; do args+=(--build-arg "$a"); done
  docker build -q -f "$file" "${args[@]}" --label "$LABEL=$hash" -t "$tag" "$ctx" >/dev/null
}

declare -A TAG
while read -r what tag; do TAG[$what]=$tag; done < <(cd "$REPO_ROOT" && node_modules/.bin/bun test/engine/images/tags.ts)

import_rootfs "${TAG[service-base]}" "$(ls "$E"/rootfs-slim-*.tar)" "debootstrap minbase of Debian 12 (bookworm), not the official slim image"
import_rootfs o11y-lab-test/debian-tools:12 "$(ls "$E"/rootfs-tools-*.tar)" "minbase plus the look-alikes' tools"

CTX="$E/contexts"
mkdir -p "$CTX"

# busybox: the tools rootfs' static busybox
mkdir -p "$CTX/busybox"
[ -f "$CTX/busybox/busybox" ] || tar -xOf "$(ls "$E"/rootfs-tools-*.tar)" ./usr/bin/busybox >"$CTX/busybox/busybox"
chmod 755 "$CTX/busybox/busybox"
build "${TAG[busybox]}" "$HERE/busybox.Dockerfile" "$CTX/busybox"

# oven/bun: the npm package's bun, the version package.json pins and compose.bundle.yaml's tag names
mkdir -p "$CTX/bun"
cp -u "$REPO_ROOT/node_modules/bun/bin/bun.exe" "$CTX/bun/bun"
build "${TAG[bundle-base]}" "$HERE/bun.Dockerfile" "$CTX/bun" "BASE=${TAG[service-base]}" "OF=${TAG[bundle-base]}"

mkdir -p "$CTX/collector"
cp -u "$(peer "['collector']['binary']")" "$CTX/collector/otelcol"
tar -xOf "$(ls "$E"/rootfs-tools-*.tar)" ./etc/ssl/certs/ca-certificates.crt >"$CTX/collector/ca-certificates.crt"
build "${TAG[otel-collector]}" "$HERE/collector.Dockerfile" "$CTX/collector"

mkdir -p "$CTX/prometheus"
cp -u "$(peer "['prometheus']['binary']")" "$(peer "['prometheus']['promtool']")" "$CTX/prometheus/"
build "${TAG[prometheus]}" "$HERE/prometheus.Dockerfile" "$CTX/prometheus"

mkdir -p "$CTX/postgres"
cp -u "$HERE/postgres-entrypoint.sh" "$CTX/postgres/"
build "${TAG[postgres]}" "$HERE/postgres.Dockerfile" "$CTX/postgres"

mkdir -p "$CTX/kafka/kafka/libs"
cp -u "$(peer "['kafka']['libs']")"/*.jar "$E"/kafka-tools-*.jar "$CTX/kafka/kafka/libs/"
cp -u "$(peer "['kafka']['log4j2']")" "$CTX/kafka/kafka/log4j2.properties"
rm -rf "$CTX/kafka/kafka-bin" && cp -a "$HERE/kafka-bin" "$HERE/kafka-run" "$CTX/kafka/"
build "${TAG[kafka]}" "$HERE/kafka.Dockerfile" "$CTX/kafka"

mkdir -p "$CTX/standin"
cp -u "$HERE/standin.py" "$CTX/standin/"
build "${TAG[tempo]}" "$HERE/standin.Dockerfile" "$CTX/standin" ROLE=tempo "OF=${TAG[tempo]}" UID=10001
build "${TAG[loki]}" "$HERE/standin.Dockerfile" "$CTX/standin" ROLE=loki "OF=${TAG[loki]}" UID=10001
build "${TAG[grafana]}" "$HERE/standin.Dockerfile" "$CTX/standin" ROLE=grafana "OF=${TAG[grafana]}" UID=472
build "${TAG[k6]}" "$HERE/standin.Dockerfile" "$CTX/standin" ROLE=k6 "OF=${TAG[k6]}" UID=12345
# A real Pumba image, if one was ever loaded here, is used as it is.
if ! docker image inspect "${TAG[pumba]}" >/dev/null 2>&1 || [ -n "$(current "${TAG[pumba]}")" ]; then
  build "${TAG[pumba]}" "$HERE/standin.Dockerfile" "$CTX/standin" ROLE=pumba "OF=${TAG[pumba]}" UID=0
fi
mkdir -p "$CTX/empty"
build "${TAG[stress-ng]}" "$HERE/helper.Dockerfile" "$CTX/empty" "OF=${TAG[stress-ng]}" ENTRY=stress-ng
build "${TAG[tc]}" "$HERE/helper.Dockerfile" "$CTX/empty" "OF=${TAG[tc]}" ENTRY=tc
docker image prune -f >/dev/null # the layers of images rebuilt above
echo "images: ready ($(docker images --filter label=org.o11y-lab.look-alike -q | wc -l) look-alikes)"
