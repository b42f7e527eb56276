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
