import { expect, test } from "bun:test";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LabError } from "../errors.ts";
import type { DockerResult, Program } from "../stack/docker.ts";
import { type K8sDeps, render, up } from "./lifecycle.ts";

/** A program that answers every run with one result, and records the runs. */
function answering(result: DockerResult): Program & { runs: string[][] } {
  const runs: string[][] = [];
  return {
    path: "/usr/bin/tool",
    runs,
    async capture(args) {
      runs.push([...args]);
      return result;
    },
    async attach(args) {
      runs.push([...args]);
      return result.code;
    },
  };
}

const silent = { info() {}, start() {}, success() {}, warn() {}, log() {} };
const target = { namespace: "o11y-lab", release: "o11y-lab", values: [], set: [] };

async function deps(helm: Program, kubectl: Program): Promise<K8sDeps> {
  return {
    helm,
    kubectl,
    dir: await mkdtemp(join(tmpdir(), "k8s-")),
    report: silent,
    bundle: async () => "console.log(1)",
    sleep: async () => {},
    now: Date.now,
  };
}

async function message(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LabError);
  const lab = error as LabError;
  return `${lab.message} — ${lab.hint}`;
}

test("no helm, no kubectl: one line naming what to install, before anything runs", async () => {
  const ok = answering({ code: 0, stdout: "", stderr: "" });
  const none = { ...answering({ code: 0, stdout: "", stderr: "" }), path: undefined };
  expect(await message(up(await deps(none, ok), target))).toStartWith(
    "helm is not installed (no helm on PATH) — install Helm 3",
  );
  expect(await message(up(await deps(ok, none), target))).toStartWith("kubectl is not installed");
  expect(await message(render(await deps(none, ok), target))).toEndWith("then run o11y-lab k8s render");
  expect(ok.runs).toEqual([]);
});

test("no cluster: kubectl's reason in one line, and nothing installed", async () => {
  const helm = answering({ code: 0, stdout: "", stderr: "" });
  const kubectl = answering({
    code: 1,
    stdout: '{"clientVersion":{}}',
    stderr:
      "E1202 memcache.go:265 couldn't get current server API group list\nThe connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?\n",
  });
  expect(await message(up(await deps(helm, kubectl), target))).toBe(
    "no Kubernetes cluster answers (kubectl: The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?) — point kubectl at one (KUBECONFIG, kubectl config use-context), then run o11y-lab k8s up",
  );
  expect(helm.runs).toEqual([]);
});

test("a values file that does not exist is refused before helm runs", async () => {
  const helm = answering({ code: 0, stdout: "", stderr: "" });
  expect(await message(render(await deps(helm, helm), { ...target, values: ["/nope.yaml"] }))).toStartWith(
    "values file /nope.yaml does not exist",
  );
  expect(helm.runs).toEqual([]);
});

test("helm's own error is the line, not its advice", async () => {
  const helm = answering({
    code: 1,
    stdout: "",
    stderr: "Error: execution error at (x): bad value\n\nUse --debug flag to render out invalid YAML\n",
  });
  expect(await message(render(await deps(helm, helm), target))).toStartWith(
    "helm template failed (exit 1): execution error at (x): bad value —",
  );
});
