/** What one run of a program gave back. `stdout`/`stderr` are empty when they went to the terminal. */
export interface DockerResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A program found on PATH that the lab drives: docker, and for the Kubernetes lab helm and kubectl. */
export interface Program {
  /** Path of the executable, or undefined when there is none on PATH. */
  readonly path: string | undefined;
  /** Runs it and collects its output. */
  capture(args: readonly string[]): Promise<DockerResult>;
  /** Runs it with the terminal attached (pull/build progress, `logs -f`). */
  attach(args: readonly string[]): Promise<number>;
}

/** The one way the lab talks to Docker: the `docker` executable found on PATH. */
export type Docker = Program;

/** The executable `name` on `env.PATH`. Tests put a recording stand-in first on that PATH. */
export function program(name: string, env: NodeJS.ProcessEnv = process.env): Program {
  const path = Bun.which(name, { PATH: env.PATH ?? "" }) ?? undefined;
  const command = (args: readonly string[]) => [path ?? name, ...args];
  return {
    path,
    async capture(args) {
      const child = Bun.spawn(command(args), { env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
      const [stdout, stderr, code] = await Promise.all([
        new Response(child.stdout).text(),
        new Response(child.stderr).text(),
        child.exited,
      ]);
      return { code, stdout, stderr };
    },
    async attach(args) {
      const child = Bun.spawn(command(args), { env, stdio: ["inherit", "inherit", "inherit"] });
      return child.exited;
    },
  };
}

/** The docker executable on `env.PATH`. */
export function docker(env: NodeJS.ProcessEnv = process.env): Docker {
  return program("docker", env);
}
