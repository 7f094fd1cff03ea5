// Preloaded by test/e2e/bunfig.toml. Bun's bunfig has no test timeout key, so the
// e2e suite's default per-test (and hook) timeout is set here: peers take seconds to
// start and metrics take flush + scrape intervals to reach Prometheus.
// (When a test times out, bun test kills the processes spawned during it.)
import { setDefaultTimeout } from "bun:test";

setDefaultTimeout(120_000);
