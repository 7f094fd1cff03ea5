// Preloaded by test/e2e/bunfig.toml. Bun's bunfig has no test timeout key, so the
// e2e suite's default per-test (and hook) timeout is set here: peers take seconds to
// start and metrics take flush + scrape intervals to reach Prometheus.
// (When a test times out, bun test kills the processes spawned during it.)
// A preload's afterAll runs once, after every file: the run's peers and run dir go then
// (`bun test` fires no process "exit" event, oven-sh/bun#8434).
import { afterAll, setDefaultTimeout } from "bun:test";
import { cleanUp } from "./peers.ts";

setDefaultTimeout(120_000);
afterAll(cleanUp);
