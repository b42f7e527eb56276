// Shell scripts (also READMEs, Makefiles and anything else that is not YAML or a Dockerfile): every
// `vllm serve …` / `python -m vllm.entrypoints.openai.api_server …` / `docker run … vllm/vllm-openai …`
// command, also under nohup, pm2, `sh -c`, with the script's own VAR=value lines expanded in order.
// All commands of one script run on one machine: they may share GPUs.
import { splitShellCommands } from "../vllm-argv.js";
import { expandShell, fromCommandWords, type Ctx, type Deployment, type ReadOptions } from "./common.js";

export function readShell(ctx: Ctx, text: string, opts: ReadOptions = {}): Deployment[] {
  const out: Deployment[] = [];
  // --set values are the environment the script starts with; its own VAR=value / export lines, in
  // order, override them and expand later $VAR / ${VAR}.
  const vars: Record<string, string> = { ...(opts.vars ?? {}) };
  for (const cmd of splitShellCommands(text)) {
    const ws = cmd.words;
    const assignOnly = ws.every((w) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
    if (ws[0] === "export" || ws[0] === "readonly" || ws[0] === "declare" || assignOnly) {
      for (const word of ws) {
        const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(word);
        if (assignment) vars[assignment[1]!] = expandShell(assignment[2]!, vars);
      }
      continue;
    }
    const words = ws.map((t, k) => ({ text: t, line: cmd.lines[k] ?? cmd.line, quoted: cmd.quoted[k] === true }));
    out.push(
      ...fromCommandWords(
        ctx,
        words,
        () => ({ name: `script line ${cmd.line}`, line: cmd.line, source: "shell", gpuCount: null, gpuType: null, notes: [], host: ctx.file }),
        false,
        { shell: { ...vars } },
        true,
      ),
    );
  }
  return out;
}
