// The streams and environment a command runs with. The CLI (src/cli.ts) binds them to the process;
// tests pass strings, so every command runs in-process and its exact output can be asserted.
export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Whether stdout is a terminal (color only then, and never with NO_COLOR). */
  isTTY: boolean;
  env: Record<string, string | undefined>;
  /** Standard input, read whole (check -); the CLI reads file descriptor 0 when absent. */
  stdin?: () => string;
}

/** The output format a command's options ask for: --json wins, else --format, else the table. */
export function outputFormat(opts: { json?: boolean; format?: string }): "table" | "json" | "markdown" | "html" {
  if (opts.json) return "json";
  return (opts.format as "table" | "json" | "markdown" | "html" | undefined) ?? "table";
}

/** Color only on a terminal, never with --no-color or NO_COLOR (https://no-color.org). */
export function colorWanted(opts: { color?: boolean }, io: Io): boolean {
  return opts.color !== false && io.isTTY && !io.env["NO_COLOR"];
}
