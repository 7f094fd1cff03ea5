/** What one `docker …` run gave back. `stdout`/`stderr` are empty when they went to the terminal. */
export interface DockerResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The one way the lab talks to Docker: the `docker` executable found on PATH. */
export interface Docker {
  /** Path of the docker executable, or undefined when there is none on PATH. */
  readonly path: string | undefined;
  /** Runs docker and collects its output. */
  capture(args: readonly string[]): Promise<DockerResult>;
  /** Runs docker with the terminal attached (pull/build progress, `logs -f`). */
  attach(args: readonly string[]): Promise<number>;
}

/** The docker executable on `env.PATH`. Tests put a recording stand-in first on that PATH. */
export function docker(env: NodeJS.ProcessEnv = process.env): Docker {
  const path = Bun.which("docker", { PATH: env.PATH ?? "" }) ?? undefined;
  const command = (args: readonly string[]) => [path ?? "docker", ...args];
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
