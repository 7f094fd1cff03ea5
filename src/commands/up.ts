import { defineCommand } from "citty";

export default defineCommand({
  meta: {
    name: "up",
    description:
      "Start the lab (services, collector, Prometheus, Tempo, Loki, Grafana, Postgres, Kafka) and wait until healthy",
  },
  args: {
    build: { type: "boolean", description: "Build the service image locally from stack/Dockerfile", default: false },
    "otlp-endpoint": {
      type: "string",
      description: "Also send all telemetry to this OTLP/HTTP backend (base URL)",
      valueHint: "url",
    },
    "otlp-header": {
      type: "string",
      description: "A header for --otlp-endpoint, K=V (repeatable)",
      valueHint: "K=V",
    },
  },
  async run({ args, rawArgs }) {
    const { parseEndpoint, parseHeaders, repeatedFlag } = await import("../stack/otlp-export.ts");
    const headerValues = repeatedFlag(rawArgs, "--otlp-header");
    const endpoint = args["otlp-endpoint"];
    if (headerValues.length && !endpoint) {
      const { LabError } = await import("../errors.ts");
      throw new LabError("--otlp-header needs --otlp-endpoint", "add --otlp-endpoint <url>");
    }
    const { up } = await import("../stack/lifecycle.ts");
    const { labDeps } = await import("../stack/runtime.ts");
    await up(labDeps("up"), {
      build: args.build,
      ...(endpoint ? { otlpEndpoint: parseEndpoint(endpoint), otlpHeaders: parseHeaders(headerValues) } : {}),
    });
  },
});
