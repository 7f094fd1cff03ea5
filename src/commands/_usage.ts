import type { CommandDef, SubCommandsDef } from "citty";

async function resolve<T>(value: T | (() => T | Promise<T>) | Promise<T>): Promise<T> {
  return typeof value === "function" ? await (value as () => T | Promise<T>)() : await value;
}

/** Walks the positional words of argv down the command tree: the commands found and the words that named them. */
export async function resolveSubCommand(
  root: CommandDef,
  rawArgs: string[],
): Promise<{ command: CommandDef; parent?: CommandDef; path: string[] }> {
  let command = root;
  let parent: CommandDef | undefined;
  const path: string[] = [];
  for (const word of rawArgs) {
    if (word.startsWith("-")) break;
    const subCommands: SubCommandsDef | undefined = command.subCommands
      ? await resolve(command.subCommands)
      : undefined;
    const next = subCommands?.[word];
    if (!next) break;
    parent = command;
    command = await resolve(next);
    path.push(word);
  }
  return { command, parent, path };
}
