import { LabError } from "../errors.ts";
import type { Docker } from "../stack/docker.ts";

/** What the docker CLI says when the engine is not answering. */
export const NOT_RUNNING = /Cannot connect to the Docker daemon|error during connect|docker daemon is not running/i;

/** Runs docker; a failure is an error carrying docker's own last line (or "Docker is not running"). */
export async function dockerOk(docker: Docker, args: readonly string[], hint?: string): Promise<string> {
  if (!docker.path)
    throw new LabError("Docker is not installed (no docker on PATH)", "install Docker Desktop or Docker Engine");
  const result = await docker.capture(args);
  if (result.code === 0) return result.stdout;
  if (NOT_RUNNING.test(result.stderr))
    throw new LabError("Docker is not running", "start Docker, then run o11y-lab up");
  const last = result.stderr.trim().split("\n").at(-1) || `exit code ${result.code}`;
  throw new LabError(`docker ${args[0]} failed: ${last}`, hint);
}

export function dockerNotRunning(): LabError {
  return new LabError("Docker is not running", "start Docker, then run o11y-lab up");
}
