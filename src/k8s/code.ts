import { VERSION } from "../version.ts";

/**
 * The ConfigMap the chart's services run their code from when no image of your own is set: the lab's JS bundle,
 * gzipped (1.7 MB of JavaScript, 0.4 MB gzipped; a ConfigMap holds 1 MiB), which an init container unpacks for the
 * official Bun image. It is outside the Helm release because a release, stored in a Secret, holds 1 MiB too.
 */
export const CODE_CONFIGMAP = `o11y-lab-code-${VERSION}`;

export function codeConfigMap(bundle: string): string {
  const gzipped = Buffer.from(Bun.gzipSync(new TextEncoder().encode(bundle), { level: 9 })).toString("base64");
  const manifest = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: CODE_CONFIGMAP,
      labels: { "app.kubernetes.io/part-of": "o11y-lab", "app.kubernetes.io/version": VERSION },
    },
    binaryData: { "o11y-lab.js.gz": gzipped },
  };
  return `# The lab's JS bundle, o11y-lab ${VERSION}, for the chart's services (o11y-lab k8s code).\n${Bun.YAML.stringify(manifest, null, 2)}\n`;
}
