#!/usr/bin/env bash
# The real-engine tier's Docker: Debian's docker.io (dockerd, containerd, runc), Compose v2 built from Go modules as
# a CLI plugin, and local look-alikes of every image the stack pins (no registry is reachable here). Everything is
# cached under ${O11Y_LAB_CACHE:-$HOME/.cache/o11y-lab}/engine; the images live in the engine's own data root there.
#
#   engine.sh install   apt packages, Compose, the two Debian root filesystems, kafka-tools (idempotent)
#   engine.sh start     dockerd (with its containerd) and a dnsmasq on the bridge, in the background, then the images
#   engine.sh stop      stops what start started, removes the lab's containers first
#   engine.sh restart-daemon   stops dockerd alone and starts it again (the lab's containers stay)
#   engine.sh env       the environment the tier runs docker with (DOCKER_CONFIG, PATH)
#
# The host firewall is never touched (dockerd --iptables=false --ip-masq=false): containers talk to each other on
# their bridges and to the host through the published 127.0.0.1 ports (docker-proxy), and have no route out.
# Docker's embedded DNS forwards names it does not know (a stopped container's) to dnsmasq on docker0, which answers
# NXDOMAIN at once; without it every such lookup waits 20 s for an upstream that is not there.
set -euo pipefail

COMPOSE_VERSION=v2.29.7
KAFKA_VERSION=4.4.0
DEBIAN_SUITE=bookworm
# What the look-alikes and stand-ins need beyond minbase. A root filesystem is rebuilt when its package list
# changes; an image, when its inputs change (images/build.sh).
TOOLS_PACKAGES="postgresql-15 openjdk-17-jre-headless python3 busybox-static stress-ng iproute2 ca-certificates procps"

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${O11Y_LAB_CACHE:-$HOME/.cache/o11y-lab}"
E="$CACHE/engine"
RUN_DIR=/run/o11y-lab-engine
BRIDGE_IP=172.17.0.1
SOCKET=/var/run/docker.sock
mkdir -p "$E"

log() { printf 'engine: %s\n' "$*"; }
die() { printf 'engine: %s\n' "$*" >&2; exit 1; }

env_lines() {
  printf 'export DOCKER_CONFIG=%q\n' "$E/docker-config"
  printf 'export DOCKER_HOST=%q\n' "unix://$SOCKET"
  # The engine's own CLI (20.10, classic builder) before any other docker on PATH.
  printf 'export PATH=%q\n' "$E/bin:$PATH"
}

install_packages() {
  local missing=()
  for cmd in dockerd containerd runc debootstrap dnsmasq; do command -v "$cmd" >/dev/null || missing+=("$cmd"); done
  [ "${#missing[@]}" -eq 0 ] && { log "docker.io, debootstrap, dnsmasq: present"; return; }
  log "installing docker.io debootstrap dnsmasq-base from Debian (missing: ${missing[*]})…"
  # The package's own start script would run a dockerd with its defaults (iptables rules on the host): keep
  # invoke-rc.d from starting anything while it installs.
  local policy=/usr/sbin/policy-rc.d added=""
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && added=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io debootstrap dnsmasq-base >/dev/null
  [ -z "$added" ] || rm -f "$policy"
}

install_compose() {
  local bin="$E/compose-$COMPOSE_VERSION/docker-compose"
  if [ ! -x "$bin" ]; then
    log "building Compose $COMPOSE_VERSION from github.com/docker/compose/v2 (~4 min on first run)…"
    mkdir -p "$E/compose-$COMPOSE_VERSION.tmp"
    GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build-cache" GOFLAGS=-buildvcs=false GOTOOLCHAIN=local \
      GOBIN="$E/compose-$COMPOSE_VERSION.tmp" go install -trimpath \
      -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$COMPOSE_VERSION" \
      "github.com/docker/compose/v2/cmd@$COMPOSE_VERSION" >"$E/compose-build.log" 2>&1 \
      || { tail -n 20 "$E/compose-build.log" >&2; die "compose build failed"; }
    mkdir -p "$(dirname "$bin")"
    mv "$E/compose-$COMPOSE_VERSION.tmp/cmd" "$bin"
    rm -rf "$E/compose-$COMPOSE_VERSION.tmp"
  fi
  mkdir -p "$E/docker-config/cli-plugins" "$E/bin"
  ln -sf "$bin" "$E/docker-config/cli-plugins/docker-compose"
  ln -sf /usr/bin/docker "$E/bin/docker" # docker.io's CLI (dockerd is in /usr/sbin)
  log "compose: $("$bin" version --short)"
}

# A Debian root filesystem as a tarball for `docker import`: minbase, or minbase plus the tools the look-alikes need.
build_rootfs() {
  local name=$1 packages=$2 key
  key=$(printf '%s %s' "$DEBIAN_SUITE" "$packages" | sha256sum | cut -c1-12)
  local tar="$E/rootfs-$name-$key.tar"
  [ -f "$tar" ] && { log "rootfs $name: cached"; return; }
  rm -f "$E/rootfs-$name-"*.tar
  log "rootfs $name: debootstrap $DEBIAN_SUITE${packages:+ + $packages} (~1-3 min)…"
  local dir="$E/rootfs-$name.tmp"
  rm -rf "$dir"
  debootstrap --variant=minbase "$DEBIAN_SUITE" "$dir" http://deb.debian.org/debian >"$E/rootfs-$name.log" 2>&1 \
    || { tail -n 20 "$E/rootfs-$name.log" >&2; die "debootstrap failed"; }
  if [ -n "$packages" ]; then
    mount --bind /proc "$dir/proc"
    # shellcheck disable=SC2086
    chroot "$dir" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages \
      >>"$E/rootfs-$name.log" 2>&1 || { umount "$dir/proc"; tail -n 20 "$E/rootfs-$name.log" >&2; die "chroot apt-get failed"; }
    umount "$dir/proc"
  fi
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir/etc/resolv.conf"
  tar -C "$dir" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
  rm -rf "$dir"
}

install_kafka_tools() {
  local jar="$E/kafka-tools-$KAFKA_VERSION.jar"
  [ -f "$jar" ] && return
  log "kafka-tools $KAFKA_VERSION from Maven Central (the healthcheck's kafka-broker-api-versions.sh)…"
  local dir="$E/kafka-tools.tmp"
  rm -rf "$dir" && mkdir -p "$dir"
  mvn -q -B -Dmaven.repo.local="$CACHE/m2" dependency:copy -Dartifact="org.apache.kafka:kafka-tools:$KAFKA_VERSION" \
    -DoutputDirectory="$dir" >"$E/kafka-tools.log" 2>&1 || { tail -n 20 "$E/kafka-tools.log" >&2; die "maven failed"; }
  mv "$dir/kafka-tools-$KAFKA_VERSION.jar" "$jar"
  rm -rf "$dir"
}

cmd_install() {
  bash "$REPO_ROOT/test/setup/install.sh" >/dev/null # the peers' binaries (collector, Prometheus, Kafka jars)
  install_packages
  install_compose
  build_rootfs slim ""
  build_rootfs tools "$TOOLS_PACKAGES"
  install_kafka_tools
}

daemon_up() { [ -S "$SOCKET" ] && "$E/bin/docker" version >/dev/null 2>&1; }

cmd_start() {
  mkdir -p "$RUN_DIR"
  if daemon_up; then
    log "dockerd: already answering on $SOCKET"
  else
    start_dockerd
  fi
  if [ -f "$RUN_DIR/dnsmasq.pid" ] && kill -0 "$(cat "$RUN_DIR/dnsmasq.pid")" 2>/dev/null; then
    log "dnsmasq: running"
  else
    # Only on docker0's address; answers NXDOMAIN for every name (containers have no world to resolve).
    dnsmasq --no-resolv --no-hosts --no-poll --bind-dynamic --listen-address="$BRIDGE_IP" --address=/#/ \
      --pid-file="$RUN_DIR/dnsmasq.pid" --log-facility="$RUN_DIR/dnsmasq.log"
  fi
  bash "$REPO_ROOT/test/engine/images/build.sh"
}

stop_pid() {
  local pidfile="$RUN_DIR/$1.pid" pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$pidfile"
}

start_dockerd() {
  log "starting dockerd (data root $E/data)…"
  setsid dockerd --iptables=false --ip-masq=false --ip6tables=false --bip="$BRIDGE_IP/16" --dns="$BRIDGE_IP" \
    --data-root="$E/data" --exec-root="$RUN_DIR/exec" --pidfile="$RUN_DIR/dockerd.pid" -H "unix://$SOCKET" \
    >>"$RUN_DIR/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 60); do daemon_up && break; sleep 0.5; done
  daemon_up || { tail -n 30 "$RUN_DIR/dockerd.log" >&2; die "dockerd did not answer"; }
}

cmd_stop() {
  if daemon_up; then
    local ids
    # Whatever the tier left: the lab's containers, chaos and k6 containers, the tests' own.
    ids=$(for label in com.docker.compose.project=o11y-lab o11y-lab.chaos o11y-lab.k6 com.gaiaadm.pumba.skip o11y-lab.test; do
      "$E/bin/docker" ps -aq --filter "label=$label"; done | sort -u)
    # shellcheck disable=SC2086
    [ -z "$ids" ] || "$E/bin/docker" rm -f -v $ids >/dev/null 2>&1 || true
    "$E/bin/docker" volume ls -q --filter label=com.docker.compose.project=o11y-lab | xargs -r "$E/bin/docker" volume rm >/dev/null 2>&1 || true
    "$E/bin/docker" network rm o11y-lab >/dev/null 2>&1 || true
  fi
  stop_pid dnsmasq
  stop_pid dockerd
  log "stopped"
}

cmd_restart_daemon() {
  stop_pid dockerd
  start_dockerd
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart-daemon) cmd_restart_daemon ;;
  env) env_lines ;;
  *) die "usage: engine.sh install|start|stop|env" ;;
esac
