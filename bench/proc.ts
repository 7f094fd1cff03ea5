/**
 * What the kernel says a process costs: CPU time and memory from /proc. CPU time is charged to the process whatever
 * else the machine is doing, so it stays comparable when other work shares the cores; wall-clock figures do not.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on every Linux Bun builds for). */
const TICKS_PER_SECOND = Number(Bun.spawnSync(["getconf", "CLK_TCK"]).stdout.toString().trim()) || 100;

/** User + system CPU time of a whole process (all its threads, live and exited), in ms. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) is in parentheses and may hold spaces: count fields from after its closing one.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

const kbField = (text: string, name: string) =>
  Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? 0) / 1024;

export function rssMiB(pid: number): number {
  return kbField(readFileSync(`/proc/${pid}/status`, "utf8"), "VmRSS");
}

/**
 * A process' RSS split: anonymous memory is its own (heaps, JIT code); the rest is mostly the executable's pages,
 * which every role running the same binary shares. PSS counts shared pages once across the processes sharing them.
 */
export function memoryMiB(pid: number): { rss: number; anon: number; pss: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const pss = kbField(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"), "Pss");
  return { rss: kbField(status, "VmRSS"), anon: kbField(status, "RssAnon"), pss };
}

function childrenOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
    readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number),
  );
}

/** Every process below `pid`, however deep (peers run through setpriv, Postgres forks backends). */
export function descendants(pid = process.pid): number[] {
  return childrenOf(pid).flatMap((child) => {
    try {
      return [child, ...descendants(child)];
    } catch {
      return []; // exited while we looked
    }
  });
}

/** The process below this one running `binary` (setpriv execs in place, so the peer's pid is the one spawned). */
export function pidOf(binary: string): number {
  for (const pid of descendants()) {
    try {
      if (readlinkSync(`/proc/${pid}/exe`) === binary) return pid;
    } catch {
      // exited while we looked
    }
  }
  throw new Error(`no process of this bench runs ${binary}`);
}

/**
 * Memory of every process this bench started (the roles and the peers: Postgres and its backends, Kafka, the
 * collector), as proportional set size: pages they share (Postgres' shared buffers) are counted once, not per process.
 */
export function descendantsPssMiB(): number {
  return descendants().reduce((sum, pid) => {
    try {
      return sum + kbField(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"), "Pss");
    } catch {
      return sum;
    }
  }, 0);
}
