// The CLI's body in-process (src/cli/run.ts run): exit code and the two streams.
import { run } from "../../src/cli/run.js";
import type { Io } from "../../src/commands/io.js";

export interface Ran {
  code: number;
  out: string;
  err: string;
}

export async function runCli(argv: string[], env: Record<string, string | undefined> = {}, isTTY = false): Promise<Ran> {
  let out = "";
  let err = "";
  const io: Io = { stdout: (s) => void (out += s), stderr: (s) => void (err += s), isTTY, env: { HF_HUB_OFFLINE: "1", ...env } };
  const code = await run(argv, io);
  return { code, out, err };
}

/**
 * A bad-input error joined back into its one logical line: stderr puts the hint and any part of a
 * message too long for COLUMNS on lines indented by two spaces (render/format.ts errorLines).
 */
export function unwrapped(err: string): string {
  return err.replace(/\n {2}(?=\S)/g, " ");
}

/** The lines of a bad-input error: the first `vram-plan: …`, the others indented, each within `width` cells. */
export function errorLinesOf(err: string, width = 80): string[] {
  const lines = err.replace(/\n$/, "").split("\n");
  if (!lines[0]?.startsWith("vram-plan: ")) throw new Error(`not a vram-plan error: ${err.slice(0, 200)}`);
  for (const l of lines.slice(1)) if (!l.startsWith("  ")) throw new Error(`a continuation line not indented: ${l}`);
  for (const l of lines) if ([...l].length > width && l.trim().includes(" ") && !l.startsWith("vram-plan: /")) throw new Error(`wider than ${width}: ${l}`);
  return lines;
}
