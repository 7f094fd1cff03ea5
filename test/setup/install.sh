#!/usr/bin/env bash
# Installs the real peers the e2e suite (test/e2e) runs against, without container
# images: PostgreSQL, a Kafka broker (KRaft), the OpenTelemetry Collector and
# Prometheus. Nothing under the AGPL (Grafana, Loki, Tempo, k6) is fetched or
# built: the suite checks their query languages with Grafana's Apache-2.0
# grammars instead (src/stack/*.test.ts). Idempotent; everything it builds or downloads lives under
#   ${O11Y_LAB_CACHE:-$HOME/.cache/o11y-lab}
# (never inside the repo), and a second run with a warm cache takes seconds.
# It finishes by writing $CACHE/peers.json, which test/e2e/peers.ts reads.
#
# Needs: Debian 12 (apt-get, run as root or with sudo for the PostgreSQL package),
# Go >= 1.26, Java 17, Maven 3.8, network access to Debian apt, Maven Central and
# the Go module proxy. Fresh run: ~9 min on 2 cores (the two Go builds dominate).
#
# Usage: bash test/setup/install.sh
set -euo pipefail

# --- versions (one variable each) ---------------------------------------------
# Kafka 4.4.0 (newest 4.x on Maven Central here). Kafka 4.0 removed old protocol
# versions (KIP-896); verified that kafkajs 2.2.4 still works against 4.4.0:
# admin createTopics, produce with acks=-1, consumer group join (JoinGroup/SyncGroup
# via the classic protocol), manual commitOffsets and fetchOffsets all succeed, as
# does a consumer surviving a broker restart (test/e2e/peers.test.ts). So no need
# for the 3.9.x fallback.
KAFKA_VERSION=4.4.0
LOG4J_VERSION=2.26.1 # log4j2 backend so the broker logs (Kafka 4 ships log4j2 config)
SLF4J_VERSION=2.0.17 # kafka's deps pull slf4j-api 1.7; log4j-slf4j2-impl needs 2.x
# OpenTelemetry Collector: the builder (ocb) at the same release as the modules
# in stack/otel-collector/builder.yaml (core v0.165.0 / v1.71.0, contrib v0.165.0).
COLLECTOR_BUILDER_VERSION=v0.165.0
# Prometheus 3.16.0, the stack's image version. Prometheus publishes its Go module
# as v0.<major*100+minor>.<patch>: 3.16.0 <-> github.com/prometheus/prometheus
# v0.316.0 (its VERSION file says 3.16.0). Built from modules (API only: the web UI
# assets are not embedded, the UI is not needed by the tests).
PROMETHEUS_VERSION=3.16.0

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${O11Y_LAB_CACHE:-$HOME/.cache/o11y-lab}"
mkdir -p "$CACHE"
CACHE="$(cd "$CACHE" && pwd)"

# Go and Maven caches live in the cache dir too.
export GOMODCACHE="$CACHE/go/mod"
export GOCACHE="$CACHE/go/build-cache"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
M2_REPO="$CACHE/m2"

log() { printf '%s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

# One install at a time per cache dir.
exec 9>"$CACHE/.install.lock"
flock 9

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "need root (or sudo) to run: $*"
  fi
}

need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found: $2"; }
need go "install Go >= 1.26"
need java "install Java 17 (apt-get install -y openjdk-17-jre-headless)"
need mvn "install Maven (apt-get install -y maven)"
need sha256sum "coreutils missing"

START=$SECONDS

# --- 1. PostgreSQL (Debian) ---------------------------------------------------
# Only the binaries are used: the tests run their own initdb data dir on
# 127.0.0.1:55432. The Debian cluster/service is left alone (not started here).
pg_bindir() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
  if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/postgres" ]; then printf '%s' "$d"; fi
}
PG_BIN="$(pg_bindir)"
if [ -n "$PG_BIN" ]; then
  log "postgres: cached ($PG_BIN)"
else
  log "postgres: installing from Debian (apt-get install postgresql)…"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  PG_BIN="$(pg_bindir)"
  [ -n "$PG_BIN" ] || die "postgresql installed but no initdb under /usr/lib/postgresql/*/bin"
  log "postgres: installed ($PG_BIN)"
fi
# tmux: the TUI e2e test drives the compiled binary in a real terminal.
if command -v tmux >/dev/null 2>&1; then
  log "tmux: present"
else
  log "tmux: installing from Debian…"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux >/dev/null
fi
# chromium: the report e2e test renders the HTML report headless and screenshots it.
if command -v chromium >/dev/null 2>&1; then
  log "chromium: present"
else
  log "chromium: installing from Debian…"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# The release test (test/release): zip for the Windows archive; Debian's qemu-user-static and arm64 C library to run
# the linux-arm64 binary on this x64 machine (qemu-aarch64-static -L /usr/aarch64-linux-gnu).
release_tools=()
command -v zip >/dev/null 2>&1 || release_tools+=(zip)
command -v qemu-aarch64-static >/dev/null 2>&1 || release_tools+=(qemu-user-static)
[ -e /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ] || release_tools+=(libc6-arm64-cross)
if [ "${#release_tools[@]}" -eq 0 ]; then
  log "release test tools: present"
else
  log "release test tools: installing ${release_tools[*]} from Debian…"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${release_tools[@]}" >/dev/null
fi

# postgres refuses to run as root: the tests then run it as the 'postgres' user
# (created by the Debian package) through setpriv.
PG_RUN_AS=""
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user"
  need setpriv "util-linux missing"
  PG_RUN_AS=postgres
fi

# --- 2. Kafka (Maven Central jars, KRaft) -------------------------------------
KAFKA_DIR="$CACHE/kafka-$KAFKA_VERSION"
if [ -f "$KAFKA_DIR/.complete" ]; then
  log "kafka: cached ($KAFKA_VERSION)"
else
  log "kafka: downloading $KAFKA_VERSION jars from Maven Central (~1 min on first run)…"
  rm -rf "$KAFKA_DIR.tmp"
  mkdir -p "$KAFKA_DIR.tmp"
  cat >"$KAFKA_DIR.tmp/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <!-- generated by test/setup/install.sh: only used to fetch the broker's jars -->
  <groupId>local.o11ylab</groupId>
  <artifactId>kafka-libs</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j2-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>$SLF4J_VERSION</version></dependency>
  </dependencies>
</project>
EOF
  (cd "$KAFKA_DIR.tmp" && mvn -q -B -Dmaven.repo.local="$M2_REPO" \
    dependency:copy-dependencies -DoutputDirectory=libs -DincludeScope=runtime \
    >"$KAFKA_DIR.tmp/mvn.log" 2>&1) || { tail -n 30 "$KAFKA_DIR.tmp/mvn.log" >&2; die "kafka: maven failed"; }
  [ -f "$KAFKA_DIR.tmp/libs/kafka_2.13-$KAFKA_VERSION.jar" ] || die "kafka: kafka_2.13-$KAFKA_VERSION.jar missing after download"
  cat >"$KAFKA_DIR.tmp/log4j2.properties" <<'EOF'
# generated by test/setup/install.sh: broker logs to stdout (the tests capture it)
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.state.name = state.change.logger
logger.state.level = WARN
logger.clients.name = org.apache.kafka.clients
logger.clients.level = WARN
logger.config.name = org.apache.kafka.common.config.AbstractConfig
logger.config.level = WARN
EOF
  touch "$KAFKA_DIR.tmp/.complete"
  rm -rf "$KAFKA_DIR"
  mv "$KAFKA_DIR.tmp" "$KAFKA_DIR"
  log "kafka: ready ($(ls "$KAFKA_DIR/libs" | wc -l) jars)"
fi

# --- 3. OpenTelemetry Collector (ocb + stack/otel-collector/builder.yaml) ------
MANIFEST="$REPO_ROOT/stack/otel-collector/builder.yaml"
[ -f "$MANIFEST" ] || die "missing $MANIFEST"
MANIFEST_HASH="$(sha256sum "$MANIFEST" | cut -c1-16)"
COL_NAME="$(sed -n 's/^ *name: *\([A-Za-z0-9._-]*\) *$/\1/p' "$MANIFEST" | head -n1)"
[ -n "$COL_NAME" ] || die "no dist.name in $MANIFEST"
COL_DIR="$CACHE/otelcol/$MANIFEST_HASH"
COL_BIN="$COL_DIR/$COL_NAME"
OCB="$CACHE/bin/ocb-$COLLECTOR_BUILDER_VERSION"
if [ -x "$COL_BIN" ]; then
  log "collector: cached ($COL_BIN)"
else
  if [ ! -x "$OCB" ]; then
    log "collector: installing builder $COLLECTOR_BUILDER_VERSION…"
    mkdir -p "$CACHE/bin"
    GOBIN="$CACHE/bin.tmp" go install "go.opentelemetry.io/collector/cmd/builder@$COLLECTOR_BUILDER_VERSION" \
      || die "collector: go install builder failed"
    mv "$CACHE/bin.tmp/builder" "$OCB"
    rm -rf "$CACHE/bin.tmp"
  fi
  log "collector: building (takes ~3 min on first run on 2 cores)…"
  BUILD_DIR="$CACHE/otelcol/build-$MANIFEST_HASH"
  rm -rf "$BUILD_DIR"
  mkdir -p "$BUILD_DIR"
  cp "$MANIFEST" "$BUILD_DIR/builder.yaml"
  # output_path in the manifest is relative (./_build): run from the build dir.
  (cd "$BUILD_DIR" && "$OCB" --config builder.yaml --ldflags="-s -w" >"$BUILD_DIR/build.log" 2>&1) \
    || { tail -n 40 "$BUILD_DIR/build.log" >&2; die "collector: build failed (log: $BUILD_DIR/build.log)"; }
  OUT="$(find "$BUILD_DIR" -type f -name "$COL_NAME" -perm -u+x | head -n1)"
  [ -n "$OUT" ] || die "collector: built binary $COL_NAME not found under $BUILD_DIR"
  mkdir -p "$COL_DIR"
  mv "$OUT" "$COL_BIN.tmp"
  mv "$COL_BIN.tmp" "$COL_BIN"
  rm -rf "$BUILD_DIR"
  log "collector: built ($COL_BIN)"
fi

# --- 4. Prometheus + promtool (Go modules) -----------------------------------
IFS=. read -r P_MAJ P_MIN P_PATCH <<<"$PROMETHEUS_VERSION"
PROM_MODULE_VERSION="v0.$((P_MAJ * 100 + P_MIN)).$P_PATCH"
PROM_DIR="$CACHE/prometheus-$PROMETHEUS_VERSION"
if [ -x "$PROM_DIR/bin/prometheus" ] && [ -x "$PROM_DIR/bin/promtool" ]; then
  log "prometheus: cached ($PROMETHEUS_VERSION)"
else
  log "prometheus: building $PROMETHEUS_VERSION from github.com/prometheus/prometheus@$PROM_MODULE_VERSION (takes ~4 min on first run)…"
  SRC="$CACHE/prometheus-build"
  rm -rf "$SRC"
  mkdir -p "$SRC"
  # A tiny main module that requires Prometheus (go install pkg@ver refuses modules
  # with replace/exclude directives; as a dependency those are simply ignored).
  printf 'module o11ylab.local/prometheus-build\n\ngo 1.26\n' >"$SRC/go.mod"
  (
    cd "$SRC"
    go get "github.com/prometheus/prometheus/cmd/prometheus@$PROM_MODULE_VERSION" \
      "github.com/prometheus/prometheus/cmd/promtool@$PROM_MODULE_VERSION"
    go build -trimpath \
      -ldflags "-s -w -X github.com/prometheus/common/version.Version=$PROMETHEUS_VERSION -X github.com/prometheus/common/version.Revision=module-$PROM_MODULE_VERSION -X github.com/prometheus/common/version.Branch=HEAD" \
      -o "$SRC/bin/" github.com/prometheus/prometheus/cmd/prometheus github.com/prometheus/prometheus/cmd/promtool
  ) >"$SRC/build.log" 2>&1 || { tail -n 40 "$SRC/build.log" >&2; die "prometheus: build failed (log: $SRC/build.log)"; }
  rm -rf "$PROM_DIR"
  mkdir -p "$PROM_DIR"
  mv "$SRC/bin" "$PROM_DIR/bin"
  rm -rf "$SRC"
  "$PROM_DIR/bin/prometheus" --version 2>&1 | head -n1 | grep -q "version $PROMETHEUS_VERSION" \
    || die "prometheus: built binary does not report version $PROMETHEUS_VERSION"
  log "prometheus: built ($PROM_DIR/bin)"
fi

# --- manifest for test/e2e/peers.ts -------------------------------------------
TMP_JSON="$CACHE/peers.json.tmp"
cat >"$TMP_JSON" <<EOF
{
  "postgres": { "bindir": "$PG_BIN", "runAs": "$PG_RUN_AS" },
  "kafka": { "version": "$KAFKA_VERSION", "libs": "$KAFKA_DIR/libs", "log4j2": "$KAFKA_DIR/log4j2.properties" },
  "collector": { "version": "$COLLECTOR_BUILDER_VERSION", "binary": "$COL_BIN", "builderHash": "$MANIFEST_HASH" },
  "prometheus": { "version": "$PROMETHEUS_VERSION", "binary": "$PROM_DIR/bin/prometheus", "promtool": "$PROM_DIR/bin/promtool" }
}
EOF
mv "$TMP_JSON" "$CACHE/peers.json"
log "done in $((SECONDS - START))s: $CACHE/peers.json"
