import { LabError } from "../errors.ts";
import { ROLES, type RoleName } from "../roles.ts";
import type { AppFault } from "./catalogue.ts";

/** The full flag set a role reports; a scenario's faults are laid over NO_FAULT so earlier values never linger. */
export type Faults = Required<AppFault>;
export const NO_FAULT: Faults = { latency_ms: 0, jitter_ms: 0, error_rate: 0, error_status: 500 };

/** Base URL of a role as the host reaches it: the stack publishes every service on 127.0.0.1:<port>. */
export function hostRoleUrl(role: RoleName): string {
  return `http://127.0.0.1:${ROLES.find((r) => r.name === role)?.port}`;
}

/** The services' `/admin/faults` endpoint, role by role. */
export class FaultClient {
  constructor(
    private readonly roleUrl: (role: RoleName) => string = hostRoleUrl,
    private readonly request: typeof fetch = fetch,
  ) {}

  private async call(role: RoleName, method: "GET" | "PUT" | "DELETE", body?: Faults): Promise<Faults> {
    const url = `${this.roleUrl(role)}/admin/faults`;
    let response: Response;
    try {
      response = await this.request(url, {
        method,
        headers: { "content-type": "application/json" },
        body: body ? JSON.stringify(body) : null,
        signal: AbortSignal.timeout(2000),
      });
    } catch {
      throw new LabError(`${role} is not answering at ${url}`, "start the lab with: o11y-lab up");
    }
    if (!response.ok) throw new LabError(`${role} answered ${response.status} to ${method} /admin/faults`);
    return (await response.json()) as Faults;
  }

  get(role: RoleName): Promise<Faults> {
    return this.call(role, "GET");
  }

  set(role: RoleName, fault: AppFault): Promise<Faults> {
    return this.call(role, "PUT", { ...NO_FAULT, ...fault });
  }

  clear(role: RoleName): Promise<Faults> {
    return this.call(role, "DELETE");
  }
}

/** Whether a role's flags do anything. */
export function isFaulty(faults: Faults): boolean {
  return faults.latency_ms > 0 || faults.jitter_ms > 0 || faults.error_rate > 0;
}
