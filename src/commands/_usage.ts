import type { CommandDef, SubCommandsDef } from "citty";

async function resolve<T>(value: T | (() => T | Promise<T>) | Promise<T>): Promise<T> {
  return typeof value === "function" ? await (value as () => T | Promise<T>)() : await value;
}

/** Walks the positional words of argv down the command tree, for `--help` on any subcommand. */
export async function resolveSubCommand(root: CommandDef, rawArgs: string[]): Promise<[CommandDef, CommandDef?]> {
  let command = root;
  let parent: CommandDef | undefined;
  for (const word of rawArgs) {
    if (word.startsWith("-")) break;
    const subCommands: SubCommandsDef | undefined = command.subCommands
      ? await resolve(command.subCommands)
      : undefined;
    const next = subCommands?.[word];
    if (!next) break;
    parent = command;
    command = await resolve(next);
  }
  return [command, parent];
}
