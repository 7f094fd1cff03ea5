import { LabError } from "../errors.ts";
import { stackFile } from "./assets.ts";

/** Where `up --otlp-endpoint` writes the collector overlay, relative to the stack dir (compose.otlp-export.yaml). */
export const OTLP_EXPORT_FILE = "private/otlp-export.yaml";

/** The exporter `up --otlp-endpoint` adds to every collector pipeline. */
export const EXTERNAL_EXPORTER = "otlphttp/external";

/**
 * Every value of a repeatable flag (`--flag v` or `--flag=v`), under any of its names, in the order given; citty's
 * parsed args keep only the last one.
 */
export function repeatedFlag(rawArgs: readonly string[], ...flags: string[]): string[] {
  const values: string[] = [];
  rawArgs.forEach((arg, i) => {
    for (const flag of flags) {
      if (arg === flag && i + 1 < rawArgs.length) values.push(rawArgs[i + 1] ?? "");
      else if (arg.startsWith(`${flag}=`)) values.push(arg.slice(flag.length + 1));
    }
  });
  return values;
}

/** Parses `--otlp-header K=V` values. */
export function parseHeaders(values: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf("=");
    if (eq <= 0)
      throw new LabError(`--otlp-header "${value}" is not K=V`, 'write it as --otlp-header "Authorization=Bearer …"');
    headers[value.slice(0, eq).trim()] = value.slice(eq + 1);
  }
  return headers;
}

/** Checks `--otlp-endpoint`: an http(s) URL, the base of an OTLP/HTTP endpoint (…/v1/traces is appended). */
export function parseEndpoint(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new LabError(
      `--otlp-endpoint "${value}" is not a URL`,
      "give the OTLP/HTTP base URL, e.g. https://otlp.example.com",
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new LabError(`--otlp-endpoint must be http or https, not ${url.protocol}`, "give the OTLP/HTTP base URL");
  }
  return value;
}

interface CollectorConfig {
  service: { pipelines: Record<string, { exporters?: string[] }> };
}

/**
 * The collector config that `up --otlp-endpoint` passes as a second --config. The collector merges config files
 * key by key but replaces lists, so each pipeline's exporter list is restated from the stack's own config with the
 * external exporter added. `$` is doubled: the collector would otherwise expand `${…}` in a header value.
 */
export function otlpExportConfig(endpoint: string, headers: Readonly<Record<string, string>>): string {
  const base = Bun.YAML.parse(stackFile("otel-collector/config.yaml")) as CollectorConfig;
  const literal = (s: string) => s.replaceAll("$", "$$$$");
  const pipelines = Object.fromEntries(
    Object.entries(base.service.pipelines).map(([name, p]) => [
      name,
      { exporters: [...(p.exporters ?? []), EXTERNAL_EXPORTER] },
    ]),
  );
  const overlay = {
    exporters: {
      [EXTERNAL_EXPORTER]: {
        endpoint: literal(endpoint),
        ...(Object.keys(headers).length
          ? { headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, literal(v)])) }
          : {}),
      },
    },
    service: { pipelines },
  };
  return `# Written by o11y-lab up --otlp-endpoint: everything the lab's collector exports also goes here.\n${Bun.YAML.stringify(overlay, null, 2)}\n`;
}
