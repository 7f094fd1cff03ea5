/**
 * The off-Linux stack on the real engine: `up` as it runs on macOS (the platform forced to darwin), so the five
 * services run the JS bundle that dist/o11y-lab embeds on the pinned oven/bun image (here its labelled look-alike),
 * not the mounted binary. 12/12 healthy, a request through all five roles, then down -v.
 */
import { afterAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BUNDLE_FILE } from "../../src/stack/bundle.ts";
import { overlayImage } from "../../src/stack/compose.ts";
import { docker as dockerCli } from "../../src/stack/docker.ts";
import { down, type LabDeps, up } from "../../src/stack/lifecycle.ts";
import { portFree } from "../../src/stack/preflight.ts";
import { BINARY, docker, ENV, figure, gateway, REPO, STATE_DIR } from "./engine.ts";

const MINUTE = 60_000;
const said: string[] = [];
const line = (message: string) => said.push(message);

/** What `up` needs, as on a Mac: no binary to mount, the bundle this build embeds. */
const deps: LabDeps = {
  docker: dockerCli(ENV),
  dir: join(STATE_DIR, "stack"),
  report: { info: line, start: line, success: line, warn: line, log: line },
  portFree,
  sleep: (ms) => Bun.sleep(ms),
  now: Date.now,
  binary: undefined,
  bundle: async () => {
    const bundle = readFileSync(join(REPO, "dist", BUNDLE_FILE));
    if (!readFileSync(BINARY).includes(bundle)) throw new Error(`${BINARY} does not embed dist/${BUNDLE_FILE}`);
    return bundle.toString();
  },
  platform: "darwin",
};

afterAll(async () => {
  await down(deps, { volumes: true });
}, 3 * MINUTE);

test(
  "up as on macOS: the services run the embedded bundle on the Bun image, 12/12 healthy, a request crosses all five",
  async () => {
    await down(deps, { volumes: true }); // the Linux stack of the files before, if any
    const started = performance.now();
    await up(deps, { timeoutMs: 8 * MINUTE });
    figure("up to healthy, darwin stack (s)", ((performance.now() - started) / 1000).toFixed(1));
    expect(said.join("\n")).toContain("all 12 containers healthy");
    const image = overlayImage("compose.bundle.yaml");
    for (const role of ["api-gateway", "service-a", "service-b", "service-c", "service-d"]) {
      const inspect = await docker(
        "inspect",
        "--format",
        "{{.Config.Image}} {{range .Mounts}}{{.Source}}{{end}}",
        role,
      );
      expect(inspect.stdout.trim()).toBe(`${image} ${join(deps.dir, BUNDLE_FILE)}`);
    }
    const response = await gateway();
    expect(response.status).toBe(200);
    // The gateway wraps service-a's answer, which carries what service-d computed and what service-b enqueued.
    const body = (await response.json()) as {
      service: string;
      data: { service: string; data: { service_b?: unknown; service_d?: unknown } };
    };
    expect([body.service, body.data.service]).toEqual(["api-gateway", "service-a"]);
    expect(body.data.data.service_b).toBeDefined();
    expect(body.data.data.service_d).toBeDefined();
  },
  10 * MINUTE,
);
