import { join } from "node:path";
import { stackFile } from "./assets.ts";

/** The compose project name: fixed, so every command finds the same containers. */
export const PROJECT = "o11y-lab";

/** `docker compose` arguments for the project in `dir` (the state directory's stack/), plus overlay files. */
export function composeArgs(dir: string, overlays: readonly string[] = []): string[] {
  return [
    "compose",
    "--project-name",
    PROJECT,
    "--project-directory",
    dir,
    ...["compose.yaml", ...overlays].flatMap((file) => ["--file", join(dir, file)]),
  ];
}

interface ComposeService {
  ports?: string[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  networks?: { default?: { name?: string } };
}

const stackCompose = () => Bun.YAML.parse(stackFile("compose.yaml")) as ComposeFile;

/**
 * The network compose creates for the stack, where the services answer by name (k6 and chaos helpers join it):
 * the name compose.yaml gives its default network, else compose's own `<project>_default`.
 */
export function labNetwork(): string {
  return stackCompose().networks?.default?.name ?? `${PROJECT}_default`;
}

/** The stack's compose services and the host ports each publishes, read from the embedded compose file. */
export function stackServices(): Map<string, number[]> {
  const parsed = stackCompose();
  return new Map(
    Object.entries(parsed.services).map(([name, service]) => [
      name,
      (service.ports ?? []).map((spec) => Number(spec.split(":").at(-2))),
    ]),
  );
}

/** One container as `docker compose ps` describes it. */
export interface Container {
  readonly service: string;
  readonly name: string;
  /** running, exited, restarting, created, paused, dead */
  readonly state: string;
  /** healthy, unhealthy, starting, or "" (no healthcheck / not running) */
  readonly health: string;
  /** Published ports as host:port */
  readonly ports: string[];
}

interface PsPublisher {
  URL?: string;
  PublishedPort?: number;
}
interface PsEntry {
  Service?: string;
  Name?: string;
  State?: string;
  Health?: string;
  Publishers?: PsPublisher[] | null;
}

/** Parses `docker compose ps --format json`: one object per line (compose ≥ 2.21) or one array (older). */
export function parsePs(stdout: string): Container[] {
  const text = stdout.trim();
  if (!text) return [];
  const entries: PsEntry[] = text.startsWith("[")
    ? (JSON.parse(text) as PsEntry[])
    : text.split("\n").flatMap((line) => (line.trim() ? [JSON.parse(line) as PsEntry] : []));
  return entries.map((e) => ({
    service: e.Service ?? "",
    name: e.Name ?? "",
    state: e.State ?? "",
    health: e.Health ?? "",
    ports: [
      ...new Set(
        (e.Publishers ?? []).filter((p) => p.PublishedPort).map((p) => `${p.URL || "127.0.0.1"}:${p.PublishedPort}`),
      ),
    ],
  }));
}

/** The one image every service of an overlay (compose.binary.yaml, compose.bundle.yaml) runs. */
export function overlayImage(file: string): string {
  const parsed = Bun.YAML.parse(stackFile(file)) as { services: Record<string, { image?: string }> };
  const images = new Set(Object.values(parsed.services).map((service) => service.image));
  const [image, ...others] = images;
  if (!image || others.length) throw new Error(`stack/${file} must give all its services one image`);
  return image;
}
