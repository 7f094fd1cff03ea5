#!/usr/bin/env bash
# The real-engine tier: o11y-lab itself (compiled) driving a real Docker engine. Installs and starts the engine
# (test/setup/engine.sh), builds the binary, runs the tier's test files in order (lab, chaos, lifecycle, darwin), prints
# the figures, and always stops the engine and removes what the lab left, pass or fail. Ends with the four
# files' "N pass" / "N fail" added up, the lines test/run.sh counts.
set -uo pipefail
cd "$(dirname "$0")/../.."
BUN=node_modules/.bin/bun
FIGURES=$(mktemp)
STATE=$(mktemp -d)
export O11Y_LAB_ENGINE_FIGURES="$FIGURES" O11Y_LAB_ENGINE_STATE="$STATE"
status=0
passed=0
failed=0

cleanup() {
  eval "$(bash test/setup/engine.sh env)"
  if [ -x dist/o11y-lab ] && docker version >/dev/null 2>&1; then
    O11Y_LAB_STATE_DIR="$STATE" timeout 120 dist/o11y-lab chaos clean >/dev/null 2>&1
    O11Y_LAB_STATE_DIR="$STATE" timeout 180 dist/o11y-lab down -v >/dev/null 2>&1
  fi
  bash test/setup/engine.sh stop
  rm -rf "$STATE" "$FIGURES"
}
trap cleanup EXIT
trap 'exit 143' TERM INT # so that a time-out still runs cleanup

started=$SECONDS
bash test/setup/engine.sh install || { echo "engine install failed"; echo " 0 pass"; echo " 1 fail"; exit 1; }
installed=$SECONDS
bash test/setup/engine.sh start || { echo "engine start failed"; echo " 0 pass"; echo " 1 fail"; exit 1; }
$BUN run build >/dev/null || { echo "build failed"; echo " 0 pass"; echo " 1 fail"; exit 1; }
eval "$(bash test/setup/engine.sh env)"
# From nothing, as a new user: no lab, no collector image built by an earlier run.
O11Y_LAB_STATE_DIR="$STATE" dist/o11y-lab down -v >/dev/null 2>&1
docker images -q 'o11y-lab/*' | xargs -r docker rmi -f >/dev/null 2>&1
ready=$SECONDS

for file in lab chaos capstone lifecycle darwin; do
  log=$(mktemp)
  timeout 1500 $BUN --config=test/engine/bunfig.toml test "./test/engine/$file.test.ts" 2>&1 | tee "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  plain=$(sed 's/\x1b\[[0-9;]*m//g' "$log")
  p=$(grep -Eo '^ *[0-9]+ pass$' <<<"$plain" | grep -Eo '[0-9]+' | tail -1)
  f=$(grep -Eo '^ *[0-9]+ fail$' <<<"$plain" | grep -Eo '[0-9]+' | tail -1)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  rm -f "$log"
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi

echo
echo "== real-engine tier figures"
printf '%-40s %s\n' "engine install (s)" "$((installed - started))" "engine start + images (s)" "$((ready - installed))" \
  "tests (s)" "$((SECONDS - ready))"
cat "$FIGURES"
echo
echo " $passed pass"
echo " $failed fail"
exit "$status"
