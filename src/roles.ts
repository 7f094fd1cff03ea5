/** How a role is instrumented: the lesson it teaches. */
export type Instrumentation = "auto" | "hybrid" | "manual";

/** One demo service: the name is the folder, the `serve` subcommand, service.name, compose service and k6 tag. */
export interface Role {
  readonly name: RoleName;
  readonly port: number;
  readonly instrumentation: Instrumentation;
  readonly summary: string;
}

export const ROLE_NAMES = ["api-gateway", "service-a", "service-b", "service-c", "service-d"] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

/** The registry every part of the product reads: CLI, compose checks, dashboards tests, TUI. */
export const ROLES: readonly Role[] = [
  {
    name: "api-gateway",
    port: 8080,
    instrumentation: "auto",
    summary: "entry point, proxies /api/process to service-a",
  },
  {
    name: "service-a",
    port: 8001,
    instrumentation: "hybrid",
    summary: "Postgres, third party, service-d and service-b",
  },
  { name: "service-b", port: 8002, instrumentation: "manual", summary: "publishes to Kafka" },
  { name: "service-c", port: 8003, instrumentation: "manual", summary: "consumes from Kafka" },
  { name: "service-d", port: 8004, instrumentation: "auto", summary: "CPU-bound computation" },
];

export function isRoleName(value: string): value is RoleName {
  return (ROLE_NAMES as readonly string[]).includes(value);
}

export function roleByName(name: RoleName): Role {
  const role = ROLES.find((r) => r.name === name);
  if (!role) throw new Error(`unknown role ${name}`);
  return role;
}
