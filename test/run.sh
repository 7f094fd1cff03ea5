#!/usr/bin/env bash
# The whole suite, as README and CI run it: install the real peers (cached), type-check, lint,
# unit tests, then the real-peer e2e suite. Ends with one line: tests: N passed, N failed.
set -uo pipefail
cd "$(dirname "$0")/.."
BUN=node_modules/.bin/bun
LOG_DIR=$(mktemp -d)
passed=0
failed=0
status=0

step() { printf '\n== %s\n' "$1"; }

count() { # add a bun test run's "N pass" / "N fail" lines to the totals
  local p f plain
  plain=$(sed 's/\x1b\[[0-9;]*m//g' "$1")
  p=$(grep -Eo '^ *[0-9]+ pass$' <<<"$plain" | grep -Eo '[0-9]+' | tail -1)
  f=$(grep -Eo '^ *[0-9]+ fail$' <<<"$plain" | grep -Eo '[0-9]+' | tail -1)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
}

step "install the real peers (Postgres, Kafka, OpenTelemetry Collector, Prometheus)"
bash test/setup/install.sh || { echo "peer install failed"; echo "tests: 0 passed, 1 failed"; exit 1; }

step "type-check (tsc --noEmit)"
node_modules/.bin/tsc --noEmit || status=1

step "format and lint (biome ci)"
node_modules/.bin/biome ci . || status=1

step "unit tests (bun test)"
$BUN test 2>&1 | tee "$LOG_DIR/unit.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
count "$LOG_DIR/unit.log"

# The release as a tagged CI release builds it (five cross-compiled binaries: ~1-2 min on 2 cores, time-boxed); the
# other targets' Bun runtimes come from the npm registry once, cached with the peers.
step "release: bun run release, its archives and checksums, the linux binaries (arm64 under qemu), install.sh"
BUN_INSTALL_CACHE_DIR="${O11Y_LAB_CACHE:-$HOME/.cache/o11y-lab}/bun-runtimes" timeout 900 \
  $BUN --config=test/release/bunfig.toml test ./test/release 2>&1 | tee "$LOG_DIR/release.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
count "$LOG_DIR/release.log"

# The chart on Kubernetes: helm lint/template for every documented value set, then a server-side dry run and
# `o11y-lab k8s up/status/down` against a real kube-apiserver and etcd (no nodes), on loopback ports of its own.
# The tools are built from Go modules once (cold: 15-25 min on 2 cores, under nice), cached with the peers.
step "Kubernetes: the chart under helm lint/template and a real kube-apiserver's dry run (test/k8s)"
if bash test/setup/k8s.sh install; then
  timeout 900 $BUN --config=test/k8s/bunfig.toml test --timeout=120000 ./test/k8s 2>&1 | tee "$LOG_DIR/k8s.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  count "$LOG_DIR/k8s.log"
else
  echo "k8s tools install failed"
  status=1
  failed=$((failed + 1))
fi

# peers.test.ts starts and stops peers of its own; the other files share one lab (test/e2e/lab.ts)
# that lives until its process exits, so the two kinds run in separate processes.
step "real-peer e2e tests: the peers themselves"
$BUN --config=test/e2e/bunfig.toml test --timeout=120000 ./test/e2e/peers.test.ts 2>&1 | tee "$LOG_DIR/peers.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
count "$LOG_DIR/peers.log"

step "real-peer e2e tests: the lab"
$BUN --config=test/e2e/bunfig.toml test --timeout=120000 --path-ignore-patterns='test/e2e/peers.test.ts' ./test/e2e 2>&1 | tee "$LOG_DIR/e2e.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
count "$LOG_DIR/e2e.log"

# Last, on its own: it starts a Docker engine (and always stops it) and publishes the lab on 127.0.0.1's ports.
step "real-engine tier: o11y-lab up, down, status, logs, k6 and chaos on a real Docker engine (test/engine)"
timeout 2700 bash test/engine/run.sh 2>&1 | tee "$LOG_DIR/engine.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
count "$LOG_DIR/engine.log"

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo
echo "tests: $passed passed, $failed failed"
exit "$status"
