// Dockerfiles: the CMD / ENTRYPOINT of each stage (exec or shell form), with ENV (and ARG defaults
// feeding ENV) expanded as the shell in a shell-form command would see them; a stage FROM the vLLM
// image runs its CMD as vLLM's arguments.
import { isVllmOpenAiImage, splitShellCommands } from "../vllm-argv.js";
import { expandShell, fromCommandWords, type BuildBase, type Ctx, type Deployment, type KnownEnv, type ReadOptions, type Word } from "./common.js";

interface DockerInstr {
  keyword: string;
  /** The instruction's arguments with continuations kept (`\` + newline), comment lines blanked. */
  raw: string;
  line: number;
}

function dockerInstructions(text: string): DockerInstr[] {
  const lines = text.split(/\r?\n/);
  const out: DockerInstr[] = [];
  for (let i = 0; i < lines.length; i++) {
    const rawLine = lines[i]!;
    const trimmed = rawLine.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const match = /^\s*([A-Za-z]+)(\s+(.*))?$/.exec(rawLine);
    if (!match) continue;
    const line = i + 1;
    const parts = [match[3] ?? ""];
    let cur = parts[0]!;
    while (/\\\s*$/.test(cur) && i + 1 < lines.length) {
      parts[parts.length - 1] = cur.replace(/\\\s*$/, "\\");
      i++;
      const next = lines[i]!;
      cur = next.trim().startsWith("#") ? "\\" : next; // comment lines inside a continuation are dropped
      parts.push(cur);
    }
    out.push({ keyword: match[1]!.toUpperCase(), raw: parts.join("\n"), line });
  }
  return out;
}

/** Parse a Dockerfile exec-form JSON array, with the line of each element; null if not exec form. */
function execForm(raw: string, firstLine: number): Word[] | null {
  let pos = 0;
  let line = firstLine;
  const length = raw.length;
  const skip = (): void => {
    while (pos < length) {
      const char = raw[pos]!;
      if (char === "\n") {
        line++;
        pos++;
      } else if (char === " " || char === "\t" || char === "\r" || (char === "\\" && raw[pos + 1] === "\n")) pos++;
      else break;
    }
  };
  skip();
  if (raw[pos] !== "[") return null;
  pos++;
  const out: Word[] = [];
  skip();
  if (raw[pos] === "]") return out;
  for (;;) {
    skip();
    if (raw[pos] !== '"') return null;
    const start = pos;
    pos++;
    while (pos < length && raw[pos] !== '"') pos += raw[pos] === "\\" ? 2 : 1;
    if (pos >= length) return null;
    pos++;
    let value: unknown;
    try {
      value = JSON.parse(raw.slice(start, pos));
    } catch {
      return null;
    }
    if (typeof value !== "string") return null;
    out.push({ text: value, line });
    skip();
    if (raw[pos] === ",") {
      pos++;
      continue;
    }
    if (raw[pos] === "]") {
      pos++;
      skip();
      return pos >= length ? out : null;
    }
    return null;
  }
}

interface CmdSpec {
  exec: Word[] | null;
  raw: string;
  line: number;
}

export function readDockerfile(ctx: Ctx, text: string, opts: ReadOptions = {}): Deployment[] {
  interface Stage {
    vllmBase: boolean;
    /** The image the stage is built FROM, through named stages (its tag says the vLLM release). */
    baseImage: string;
    entrypoint: CmdSpec | null;
    cmd: CmdSpec | null;
    name: string | null;
    /** ENV values (runtime environment of shell-form / sh -c commands). */
    env: Record<string, string>;
    /** ARG defaults (only used to expand ENV values at build time). */
    args: Record<string, string>;
  }
  const stages: Stage[] = [];
  const named = new Map<string, Stage>();
  let st: Stage | null = null;
  for (const ins of dockerInstructions(text)) {
    if (ins.keyword === "FROM") {
      const words = splitShellCommands(ins.raw)[0]?.words.filter((x) => !x.startsWith("--")) ?? [];
      const image = words[0] ?? "";
      const parent = named.get(image.toLowerCase());
      st = {
        vllmBase: parent ? parent.vllmBase : isVllmOpenAiImage(image),
        baseImage: parent ? parent.baseImage : image,
        entrypoint: parent?.entrypoint ?? null,
        cmd: parent?.cmd ?? null,
        name: words[1]?.toLowerCase() === "as" ? (words[2] ?? null) : null,
        env: { ...(parent?.env ?? {}) },
        args: {},
      };
      stages.push(st);
      if (st.name) named.set(st.name.toLowerCase(), st);
      continue;
    }
    if (!st) continue;
    if (ins.keyword === "ENV" || ins.keyword === "ARG") {
      const ws = splitShellCommands(ins.raw).flatMap((c) => c.words);
      const scope = { ...st.args, ...st.env };
      const target = ins.keyword === "ENV" ? st.env : st.args;
      if (ins.keyword === "ENV" && ws.length >= 2 && !ws[0]!.includes("=")) target[ws[0]!] = expandShell(ws.slice(1).join(" "), scope);
      else
        for (const word of ws) {
          const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(word);
          if (assignment) target[assignment[1]!] = expandShell(assignment[2]!, scope);
        }
      continue;
    }
    if (ins.keyword === "CMD" || ins.keyword === "ENTRYPOINT") {
      const spec: CmdSpec = { exec: execForm(ins.raw, ins.line), raw: ins.raw, line: ins.line };
      if (ins.keyword === "CMD") st.cmd = spec;
      else {
        st.entrypoint = spec;
        st.vllmBase = false; // the image's own entrypoint is replaced
      }
    }
  }

  const out: Deployment[] = [];
  const seen = new Set<string>();
  for (const stage of stages) {
    const entrypoint = stage.entrypoint;
    const cmdSpec = stage.cmd;
    let found: Deployment[] = [];
    const base = (label: string, spec: CmdSpec) => (line: number): BuildBase => ({
      name: `${label} line ${spec.line}`,
      line: line || spec.line,
      source: "dockerfile",
      gpuCount: null,
      gpuType: null,
      notes: [],
      image: stage.baseImage || null,
    });
    // `docker run -e` (here: --set) overrides the image's ENV.
    const known: KnownEnv = { shell: { ...stage.env, ...(opts.vars ?? {}) } };
    const shellForm = (spec: CmdSpec, label: string): Deployment[] =>
      splitShellCommands(spec.raw, spec.line).flatMap((cmd) =>
        fromCommandWords(ctx, cmd.words.map((t, k) => ({ text: t, line: cmd.lines[k] ?? cmd.line, quoted: cmd.quoted[k] === true })), base(label, spec), false, known, true),
      );
    if (entrypoint) {
      if (entrypoint.exec) {
        const cmdWords = cmdSpec === null ? [] : cmdSpec.exec ?? [{ text: "/bin/sh", line: cmdSpec.line }, { text: "-c", line: cmdSpec.line }, { text: cmdSpec.raw, line: cmdSpec.line }];
        found = fromCommandWords(ctx, [...entrypoint.exec, ...cmdWords], base(cmdSpec ? "ENTRYPOINT+CMD" : "ENTRYPOINT", entrypoint), false, known);
      } else found = shellForm(entrypoint, "ENTRYPOINT");
    } else if (cmdSpec) {
      found = cmdSpec.exec ? fromCommandWords(ctx, cmdSpec.exec, base("CMD", cmdSpec), stage.vllmBase, known) : shellForm(cmdSpec, "CMD");
    }
    for (const deployment of found) {
      // Exec form runs no shell: a $VAR reaches vLLM as written (Docker expands nothing there).
      if (deployment.model !== null && /\$/.test(deployment.model) && (entrypoint?.exec || (!entrypoint && cmdSpec?.exec))) {
        deployment.problem = `model ${deployment.model}: the exec form (JSON array) of ${entrypoint ? "ENTRYPOINT" : "CMD"} runs no shell, so vLLM gets "${deployment.model}" literally; use the shell form or sh -c to expand it`;
      }
      const key = `${deployment.line}:${deployment.name}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(deployment);
      }
    }
  }
  return out;
}
