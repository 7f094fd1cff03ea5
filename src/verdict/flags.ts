/** The backend flags `lab`, `chaos`, `doctor` and `report` share with `tui`, and the backends they make. */

import { docker } from "../stack/docker.ts";
import { roleUrls } from "../tui/actions.ts";
import { Prometheus } from "../tui/prometheus.ts";
import type { Backends } from "./check.ts";
import { Loki } from "./loki.ts";
import { Tempo } from "./tempo.ts";

export const BACKEND_ARGS = {
  prometheus: { type: "string", description: "Prometheus URL", default: "http://127.0.0.1:9090" },
  tempo: { type: "string", description: "Tempo URL", default: "http://127.0.0.1:3200" },
  loki: { type: "string", description: "Loki URL", default: "http://127.0.0.1:3100" },
  grafana: { type: "string", description: "Grafana URL (links, annotations)", default: "http://127.0.0.1:3000" },
  services: {
    type: "string",
    description: "Role URLs, when not on 127.0.0.1:<port> (role=url,role=url)",
    default: "",
  },
} as const;

export interface BackendFlags {
  readonly prometheus: string;
  readonly tempo: string;
  readonly loki: string;
  readonly grafana: string;
  readonly services: string;
}

export function backends(flags: BackendFlags): Backends {
  const urls = roleUrls(flags.services);
  return {
    prometheus: new Prometheus(flags.prometheus),
    tempo: new Tempo(flags.tempo),
    loki: new Loki(flags.loki),
    docker: docker(),
    grafanaUrl: flags.grafana.replace(/\/$/, ""),
    roleUrl: (role) => urls[role] ?? "",
  };
}
