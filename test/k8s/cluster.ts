/**
 * A real Kubernetes control plane without nodes, for server-side dry runs and helm installs: etcd and
 * kube-apiserver from test/setup/k8s.sh, on 127.0.0.1 ports of their own, a static token in system:masters, the
 * serving certificate the apiserver makes itself. Nothing schedules or runs a pod (no kubelet, no controllers), so
 * an object is checked exactly as a cluster's API checks it — schema, defaults, admission — and goes no further.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { $, type Subprocess } from "bun";
import { CACHE_DIR, freePort, pollUntil, tail } from "../e2e/peers.ts";

/** helm, kubectl, etcd and kube-apiserver, as test/setup/k8s.sh installs them. */
export const K8S_BIN = join(CACHE_DIR, "k8s/bin");

export interface ControlPlane {
  /** The environment for helm and kubectl: KUBECONFIG, and PATH with the tier's tools first. */
  readonly env: Record<string, string>;
  readonly server: string;
  stop(): void;
}

function start(dir: string, name: string, argv: string[]): Subprocess {
  const log = join(dir, `${name}.log`);
  // Dies with the test process, however that one ends.
  return Bun.spawn(["setpriv", "--pdeathsig", "KILL", join(K8S_BIN, name), ...argv], {
    stdout: Bun.file(log),
    stderr: Bun.file(log),
  });
}

export async function startControlPlane(): Promise<ControlPlane> {
  const dir = mkdtempSync(join(tmpdir(), "o11y-lab-k8s-"));
  const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  const etcd = start(dir, "etcd", [
    `--data-dir=${join(dir, "etcd")}`,
    `--listen-client-urls=${etcdUrl}`,
    `--advertise-client-urls=${etcdUrl}`,
    `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
    `--initial-cluster=default=http://127.0.0.1:${peerPort}`,
    "--log-level=warn",
  ]);
  const key = join(dir, "sa.key");
  await $`openssl genrsa -out ${key} 2048`.quiet();
  const token = crypto.randomUUID();
  writeFileSync(join(dir, "tokens.csv"), `${token},o11y-lab-test,o11y-lab-test,system:masters\n`);
  const apiserver = start(dir, "kube-apiserver", [
    `--etcd-servers=${etcdUrl}`,
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--secure-port=${apiPort}`,
    `--cert-dir=${join(dir, "certs")}`,
    `--token-auth-file=${join(dir, "tokens.csv")}`,
    "--authorization-mode=RBAC",
    `--service-account-key-file=${key}`,
    `--service-account-signing-key-file=${key}`,
    "--service-account-issuer=https://kubernetes.default.svc",
    "--service-cluster-ip-range=10.96.0.0/16",
  ]);
  const processes = [apiserver, etcd];
  const stop = () => {
    for (const p of processes) p.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  const server = `https://127.0.0.1:${apiPort}`;
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(
    kubeconfig,
    Bun.YAML.stringify({
      apiVersion: "v1",
      kind: "Config",
      // Loopback, and a serving certificate the apiserver made for itself a moment ago.
      clusters: [{ name: "test", cluster: { server, "insecure-skip-tls-verify": true } }],
      users: [{ name: "test", user: { token } }],
      contexts: [{ name: "test", context: { cluster: "test", user: "test" } }],
      "current-context": "test",
    }),
  );
  try {
    await pollUntil(
      "kube-apiserver /readyz",
      async () => {
        if (apiserver.exitCode !== null || etcd.exitCode !== null) throw new Error("a control-plane process exited");
        const ready = await fetch(`${server}/readyz`, {
          headers: { authorization: `Bearer ${token}` },
          tls: { rejectUnauthorized: false },
        }).catch(() => undefined);
        return ready?.status === 200;
      },
      {
        timeoutMs: 120_000,
        intervalMs: 500,
        detail: () => `${tail(join(dir, "kube-apiserver.log"))}\n${tail(join(dir, "etcd.log"))}`,
      },
    );
  } catch (error) {
    stop();
    throw error;
  }
  return {
    env: { ...process.env, KUBECONFIG: kubeconfig, PATH: `${K8S_BIN}:${process.env.PATH ?? ""}`, HOME: dir },
    server,
    stop,
  };
}
