import { LabError } from "../errors.ts";
import type { Docker } from "./docker.ts";

/** Below this, Kafka, Grafana, Loki, Tempo and the rest start slowly or get killed. */
export const MIN_MEMORY_BYTES = 3 * 1024 ** 3;

const GIB = 1024 ** 3;

/**
 * Docker installed, Compose v2 present, the daemon answering and (for `up`) given enough memory: one clear line
 * naming the fix if not.
 */
export async function checkDocker(
  docker: Docker,
  options: { minMemory?: number; command?: string } = {},
): Promise<void> {
  const retry = `then run ${options.command ?? "o11y-lab up"}`;
  if (!docker.path) {
    throw new LabError(
      "Docker is not installed (no docker on PATH)",
      `install Docker Desktop or Docker Engine (https://docs.docker.com/get-docker/), ${retry}`,
    );
  }
  const compose = await docker.capture(["compose", "version", "--short"]);
  const composeVersion = compose.stdout.trim().replace(/^v/, "");
  // 1.x was the old docker-compose (or Docker Desktop's compose-cli); a source build says "dev".
  if (compose.code !== 0 || /^1\./.test(composeVersion)) {
    throw new LabError(
      "Docker Compose v2 is missing (docker compose version failed)",
      `install the Compose plugin (Docker Desktop has it; on Linux the docker-compose-plugin package), ${retry}`,
    );
  }
  const info = await docker.capture(["info", "--format", "{{json .MemTotal}}"]);
  if (info.code !== 0) {
    if (/permission denied/i.test(info.stderr)) {
      throw new LabError(
        "Docker refused the connection: permission denied",
        `add yourself to the docker group (sudo usermod -aG docker $USER, then log in again), ${retry}`,
      );
    }
    throw new LabError("Docker is not running", `start Docker, ${retry}`);
  }
  const memory = Number(info.stdout.trim());
  const minMemory = options.minMemory ?? 0;
  if (Number.isFinite(memory) && memory > 0 && memory < minMemory) {
    throw new LabError(
      `Docker has ${(memory / GIB).toFixed(1)} GiB of memory and the lab needs ${minMemory / GIB} GiB`,
      `give Docker more memory (Docker Desktop: Settings → Resources), ${retry}`,
    );
  }
}

/** Whether nothing listens on 127.0.0.1:port (the lab publishes every port there). */
export async function portFree(port: number): Promise<boolean> {
  try {
    const listener = Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });
    listener.stop(true);
    return true;
  } catch {
    return false;
  }
}

/** The first port, in order, that something else already holds: one clear line naming it and its service. */
export async function checkPorts(
  wanted: ReadonlyMap<string, readonly number[]>,
  isFree: (port: number) => Promise<boolean>,
): Promise<void> {
  for (const [service, ports] of wanted) {
    for (const port of ports) {
      if (!(await isFree(port))) {
        throw new LabError(
          `port ${port} is already in use (the lab's ${service} publishes 127.0.0.1:${port})`,
          `stop what listens on port ${port} (lsof -i :${port} shows it), then run o11y-lab up`,
        );
      }
    }
  }
}
