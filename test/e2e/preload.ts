// Preloaded by test/e2e/bunfig.toml.
// The e2e timeout (120 s: peers take seconds to start, metrics take flush + scrape intervals to reach
// Prometheus) is `--timeout=120000` on the command line (test/run.sh, npm run test:e2e): Bun 1.4.5 applies a
// preload's setDefaultTimeout to the first test file only, and reads no timeout key from bunfig. The call
// below still covers a single file run by hand.
// (When a test times out, bun test kills the processes spawned during it.)
// A preload's afterAll runs once, after every file: the run's peers and run dir go then
// (`bun test` fires no process "exit" event, oven-sh/bun#8434).
import { afterAll, setDefaultTimeout } from "bun:test";
import { cleanUp } from "./peers.ts";

setDefaultTimeout(120_000);
afterAll(cleanUp);
