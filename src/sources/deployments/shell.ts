// Shell scripts (also READMEs, Makefiles and anything else that is not YAML or a Dockerfile): every
// `vllm serve …` / `python -m vllm.entrypoints.openai.api_server …` / `docker run … vllm/vllm-openai …`
// command, with the script's own VAR=value lines expanded in order.
import { splitShellCommands } from "../vllm-argv.js";
import { countDeviceList, expandShell, fromCommandWords, lookup, type Ctx, type Deployment } from "./common.js";

export function readShell(ctx: Ctx, text: string): Deployment[] {
  const out: Deployment[] = [];
  // Top-level `VAR=value` / `export VAR=value` lines, in order, expand later $VAR / ${VAR}.
  const vars: Record<string, string> = {};
  for (const cmd of splitShellCommands(text)) {
    const ws = cmd.words;
    const assignOnly = ws.every((w) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
    if ((ws[0] === "export" || ws[0] === "readonly" || ws[0] === "declare") || assignOnly) {
      for (const w of ws) {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(w);
        if (m) vars[m[1]!] = expandShell(m[2]!, vars);
      }
      continue;
    }
    const words = ws.map((t, k) => ({ text: t, line: cmd.lines[k] ?? cmd.line }));
    const cvd = lookup(vars, "CUDA_VISIBLE_DEVICES");
    const cvdCount = cvd === undefined ? null : countDeviceList(cvd);
    const found = fromCommandWords(
      ctx,
      words,
      () => ({ name: `script line ${cmd.line}`, line: cmd.line, source: "shell", gpuCount: cvdCount, gpuType: null, notes: [] }),
      false,
      { shell: { ...vars } },
      true,
    );
    out.push(...found);
  }
  return out;
}
