// `vram-plan check` text read back as logical lines: the renderer (src/render/check.ts
// renderCheckTable) wraps each deployment to COLUMNS; tests that read what a deployment's lines say
// (figures, reasons, fixes, notes) join the wrapping back here. The layout itself (every line within
// COLUMNS, indents, exact lines) is asserted in test/text-width.test.ts.
import { run } from "../../src/cli/run.js";
import type { Io } from "../../src/commands/io.js";
import type { Ran } from "./cli.js";

/**
 * Text output of check with wrapped lines joined: one line per deployment "STATUS file:line name —
 * model on GPUs, vLLM R: verdict — fix: …", then one "     note: …" line per note; file notes and the
 * summary on one line each. Other formats (--json, --format markdown/html) come back unchanged.
 */
export function logicalCheckText(argv: readonly string[], out: string): string {
  const f = argv.indexOf("--format");
  if (argv.includes("--json") || (f >= 0 && argv[f + 1] !== "table")) return out;
  const lines: string[] = [];
  const append = (text: string): void => {
    lines[lines.length - 1] = `${lines[lines.length - 1] ?? ""} ${text}`;
  };
  for (const raw of out.split("\n")) {
    const line = raw.replace(/\x1b\[[0-9;]*m/g, "");
    if (line.startsWith("       ")) append(line.trimStart()); // a wrapped fix or note
    else if (line.startsWith("     fix: ")) lines[lines.length - 1] = `${lines[lines.length - 1] ?? ""} — ${line.trimStart()}`;
    else if (line.startsWith("     note: ")) lines.push(line);
    else if (/^ {5}\S/.test(line) || /^ {2}\S/.test(line)) append(line.trimStart()); // the status line or the summary wrapped
    else lines.push(line);
  }
  return lines.join("\n");
}

/** `vram-plan check ARGV --offline` in-process, `stdin` as standard input, the text as logical lines. */
export async function runCheck(argv: readonly string[], stdin?: string): Promise<Ran> {
  let out = "";
  let err = "";
  const io: Io = { stdout: (s) => void (out += s), stderr: (s) => void (err += s), isTTY: false, env: { HF_HUB_OFFLINE: "1" } };
  if (stdin !== undefined) io.stdin = () => stdin;
  const code = await run(["check", ...argv, "--offline"], io);
  return { code, out: logicalCheckText(argv, out), err };
}
