/** Prints "<what> <image:tag>" for every image the product starts, from the product's own sources (no second copy). */
import { PUMBA_IMAGE, STRESS_IMAGE, TC_IMAGE } from "../../../src/chaos/catalogue.ts";
import { K6_IMAGE } from "../../../src/k6/run.ts";
import { stackFile } from "../../../src/stack/assets.ts";

interface Service {
  image?: string;
  build?: { args?: { BASE?: string } };
}
const compose = Bun.YAML.parse(stackFile("compose.yaml")) as { services: Record<string, Service> };
const binary = Bun.YAML.parse(stackFile("compose.binary.yaml")) as { services: Record<string, Service> };
const bundle = Bun.YAML.parse(stackFile("compose.bundle.yaml")) as { services: Record<string, Service> };
const withWget = stackFile("images/with-wget.Dockerfile");
const lines = new Map<string, string>();
for (const [name, s] of Object.entries(compose.services)) {
  if (s.build?.args?.BASE) lines.set(name, s.build.args.BASE);
  else if (s.image && !s.image.startsWith("$")) lines.set(name, s.image);
}
lines.set("service-base", binary.services["api-gateway"]?.image ?? "");
lines.set("bundle-base", bundle.services["api-gateway"]?.image ?? "");
lines.set("busybox", /^FROM\s+(\S+)\s+AS busybox/m.exec(withWget)?.[1] ?? "");
lines.set("k6", K6_IMAGE);
lines.set("pumba", PUMBA_IMAGE);
lines.set("tc", TC_IMAGE);
lines.set("stress-ng", STRESS_IMAGE);
for (const [what, tag] of lines) {
  if (!tag) throw new Error(`no image for ${what}`);
  console.log(`${what} ${tag}`);
}
