import { describe, expect, test } from "bun:test";
import { LabError } from "../errors.ts";
import { parseTarget } from "./target.ts";

const KNOWN = ["namespace", "n", "learner", "release", "values", "f", "set", "help", "h"];

describe("parseTarget", () => {
  test("defaults: namespace and release o11y-lab, no values", () => {
    expect(parseTarget({}, [], KNOWN)).toEqual({ namespace: "o11y-lab", release: "o11y-lab", values: [], set: [] });
  });

  test("--learner is its own namespace and the chart's learner value, before the --set values", () => {
    const raw = ["--learner", "alice", "--set", "quota.enabled=true", "-f", "a.yaml", "--values=b.yaml"];
    expect(parseTarget({ learner: "alice" }, raw, KNOWN)).toEqual({
      namespace: "o11y-lab-alice",
      release: "o11y-lab",
      values: ["a.yaml", "b.yaml"], // helm's order: a later file wins
      set: ["learner=alice", "quota.enabled=true"],
    });
    expect(parseTarget({ learner: "bob", namespace: "room-1" }, [], KNOWN).namespace).toBe("room-1");
  });

  test("a bad name, an unknown option or a --set without = is one line naming it", () => {
    const error = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(LabError);
        return (e as LabError).message;
      }
      throw new Error("no error");
    };
    expect(error(() => parseTarget({ namespace: "Bad_NS" }, [], KNOWN))).toBe(
      '--namespace "Bad_NS" is not a valid name',
    );
    expect(error(() => parseTarget({ learner: "x".repeat(60) }, [], KNOWN))).toContain("--learner");
    expect(error(() => parseTarget({}, ["--namespcae", "x"], KNOWN))).toBe("unknown option --namespcae");
    expect(error(() => parseTarget({}, ["--kube-version=1.30"], KNOWN))).toBe("unknown option --kube-version");
    expect(error(() => parseTarget({}, ["--set", "quota"], KNOWN))).toBe('--set "quota" is not K=V');
    expect(error(() => parseTarget({ release: "-x" }, [], KNOWN))).toContain("--release");
  });
});
