// Shared by every deployment reader: the Deployment record, file/line errors, variable expansion
// ($VAR, ${VAR:-default}, Kubernetes $(VAR)) and turning a command's words into a deployment.
import { InputError } from "../../errors.js";
import type { HostLimits } from "../../core/host-limits.js";
import { dockerRunLimits } from "./limits.js";
import { cudaDeviceIds, dockerGpuRequest } from "../visible-devices.js";
import {
  ShellSyntaxError,
  VllmArgError,
  baseName,
  containerRunIndex,
  containerRunOptions,
  expandParameters,
  expansionFields,
  locateVllmInvocation,
  parseVllmArgs,
  shellScriptIndex,
  splitShellCommands,
} from "../vllm-argv.js";

export interface DeploymentConstraints {
  /** Must serve `n` concurrent sequences, each `len` tokens long (default: max-model-len). */
  requireConcurrency?: { n: number; len?: number };
  /** Must fit at least this context length (tokens). */
  requireContext?: number;
  /** Highest acceptable --gpu-memory-utilization (0 < x <= 1). */
  maxUtilization?: number;
  /** Memory to keep free per GPU, as written ("2GiB"); the planner parses it. */
  headroom?: string;
}

export type DeploymentSource = "vllm-config" | "shell" | "dockerfile" | "compose" | "kubernetes" | "vram-plan";

export interface Deployment {
  file: string;
  /** 1-based line of the container / service / entry / command. */
  line: number;
  /** compose service, `workload/container` for Kubernetes (just the container when both are equal),
   *  "script line N", "CMD line N", the config file's name, or the entry's name. */
  name: string;
  /** From the argv (positional or --model), a `model:` field or a KServe storageUri; null when not given. */
  model: string | null;
  /** parseVllmArgs of the argv, `model` removed (it is in `model`). */
  args: Record<string, string | true>;
  /** The raw vLLM argv after the entrypoint, in order (positional model removed), for a full parser. */
  argv: string[];
  /** nvidia.com/gpu limit, compose device count, CUDA_VISIBLE_DEVICES, docker --gpus, or own file. */
  gpuCount: number | null;
  /** A vram-plan GPU id from a node label (see gpuIdFromLabel), or the own file's `gpu` as written. */
  gpuType: string | null;
  constraints: DeploymentConstraints;
  /** Which reader produced it. */
  source: DeploymentSource;
  /** Things the reader noticed but could not resolve (e.g. `count: all`, an unknown GPU label value). */
  notes: string[];
  /** The container image that runs it (compose/Kubernetes/docker run/Dockerfile FROM), null when none. */
  image?: string | null;
  /**
   * The GPUs it sees, as host device ids (CUDA_VISIBLE_DEVICES, NVIDIA_VISIBLE_DEVICES, compose
   * device_ids, docker --gpus device=…); null: not said, so vLLM takes the first tp × pp × dp GPUs.
   */
  devices?: string[] | null;
  /** Deployments with the same host key run on one machine and may share GPUs; null: never shared. */
  host?: string | null;
  /** compose depends_on: services that start before this one. */
  dependsOn?: string[];
  /** What the file alone cannot tell (a flag without its value): one line; the deployment is not planned. */
  problem?: string;
  /** The container's memory limit and /dev/shm as the file sets them (Kubernetes, compose, docker run); absent: not in a container the file describes. */
  limits?: HostLimits;
  /** A Kubernetes nvidia.com/mig-<slice> resource: the MIG slice (3g.40gb) each GPU of it is. */
  migSlice?: string;
}

/** Options a reader takes: values for variables that are only known at run time. */
export interface ReadOptions {
  /** --set NAME=VALUE (and the repository config's `set:`): as if exported where the command runs. */
  vars?: Record<string, string>;
  /** A compose file's `.env` beside it (lower precedence than `vars`, as the shell environment wins). */
  dotenv?: Record<string, string>;
}

export interface Word {
  text: string;
  line: number;
  /** Written with quotes in a shell text (ShellCommand.quoted): an expansion in it is not split. */
  quoted?: boolean;
}

export class Ctx {
  constructor(readonly file: string) {}
  fail(line: number | null, message: string): never {
    throw new InputError(this.file, line === null ? `${this.file}: ${message}` : `${this.file}:${line}: ${message}`);
  }
}

export { rec, str, type Json } from "./values.js";
export { baseName };

/** Variables known for a command: `shell` for $VAR / ${VAR} / ${VAR:-default}, `k8s` for $(VAR). */
export interface KnownEnv {
  shell?: Record<string, string>;
  k8s?: Record<string, string>;
}

export function lookup(env: Record<string, string>, name: string): string | undefined {
  return Object.hasOwn(env, name) ? env[name] : undefined;
}

/** Kubernetes' own expansion of $(VAR) in command/args from the container's env; $$ escapes. */
export function expandK8s(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string | undefined) =>
    name === undefined ? "$" : charge(lookup(env, name) ?? m),
  );
}

/**
 * Bytes of variable values substituted while reading one file: `x=$y$y`, `y=$z$z`, … doubles with each
 * line, so the substitutions are charged against one budget per file (resetExpansionBudget) and a
 * file that spends it is refused instead of building gigabytes of text.
 */
const EXPANSION_BUDGET_BYTES = 16 * 2 ** 20;
let expansionLeft = EXPANSION_BUDGET_BYTES;
export function resetExpansionBudget(): void {
  expansionLeft = EXPANSION_BUDGET_BYTES;
}
export function charge(expanded: string): string {
  expansionLeft -= expanded.length;
  if (expansionLeft < 0) throw new ShellSyntaxError(`shell variables expand to more than ${EXPANSION_BUDGET_BYTES / 2 ** 20} MiB of text`, 0);
  return expanded;
}

/**
 * Shell expansion of $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:+word}, ${VAR+word}
 * (vllm-argv.ts expandParameters); unknown variables stay verbatim (check names them), except in
 * :+ / + forms, which vanish when unset; every value put in is charged to the file's budget.
 */
export function expandShell(text: string, env: Record<string, string>): string {
  return expandParameters(text, env, (_name, written) => written, charge);
}

/** What a reader knows of a deployment before its command is read (fromCommandWords adds the rest). */
export type BuildBase = Pick<Deployment, "name" | "line" | "source" | "gpuCount" | "gpuType" | "notes" | "image" | "devices" | "host" | "dependsOn">;

/** Options of `docker run` / `podman run` that take a value (the image is the first word after them). */
const DOCKER_VALUE_OPTIONS = new Set([
  "-v", "--volume", "-p", "--publish", "-e", "--env", "--env-file", "--name", "--gpus", "--runtime", "--ipc", "--shm-size",
  "-w", "--workdir", "--network", "--net", "--entrypoint", "--ulimit", "--mount", "--device", "--cpus", "--memory", "-m",
  "-u", "--user", "-l", "--label", "--restart", "--platform", "--add-host", "--security-opt", "--cap-add", "--cap-drop",
  "--group-add", "-h", "--hostname", "--cidfile", "--log-driver", "--log-opt", "--pid", "--uts", "--tmpfs", "--pull",
  "--cpuset-cpus", "--memory-swap", "--stop-signal", "--health-cmd", "--label-file", "--dns", "--expose",
]);

/**
 * `docker run … IMAGE ARGS` where IMAGE is a vLLM server image other than vllm/vllm-openai (its name
 * has "vllm" in it) and ARGS start with a flag: the image's entrypoint is vLLM's server. Returns the
 * index of the image word, or null.
 */
function otherVllmImageIndex(words: readonly string[]): number | null {
  const run = containerRunIndex(words);
  if (run < 0) return null;
  for (let i = run + 1; i < words.length; i++) {
    const word = words[i]!;
    if (word.startsWith("-")) {
      if (!word.includes("=") && DOCKER_VALUE_OPTIONS.has(word)) i++;
      continue;
    }
    const next = words[i + 1];
    return /vllm/i.test(word) && next !== undefined && next.startsWith("--") ? i : null;
  }
  return null;
}

const VLLM_IN_TEXT = /\bvllm\s+serve\b|vllm\.entrypoints\.(openai\.)?api_server|\bvllm\/vllm-openai\b/;

/** `${VAR}`, `$VAR`, `$(VAR)` and `{{ … }}` left in a text: the names (or the template) that are not known here. */
export function unresolvedIn(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|\$\(([A-Za-z_][A-Za-z0-9_]*)\)|\$([A-Za-z_][A-Za-z0-9_]*)|\{\{[^}]*\}\}/g)) {
    const name = match[1] ?? match[2] ?? match[3] ?? match[0];
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/** `sh -c` nesting depth of the command being read, and its bound. */
let shellDepth = 0;
const MAX_SHELL_NESTING = 8;

/**
 * Turn the words of one simple command into deployments: unwraps `sh -c SCRIPT`, a command given as
 * one string to a process manager (`pm2 start "vllm serve …"`, `tmux new -d "…"`, `screen … "…"`),
 * and `docker run` of a vLLM image. A flag without its value becomes the deployment's `problem`.
 */
export function fromCommandWords(
  ctx: Ctx,
  words: readonly Word[],
  base: (line: number) => BuildBase,
  entrypointIsVllm: boolean,
  known: KnownEnv = {},
  inShell = false,
): Deployment[] {
  if (known.k8s) {
    const env = known.k8s;
    words = words.map((w) => ({ text: expandK8s(w.text, env), line: w.line }));
  }
  if (inShell) {
    const env = known.shell ?? {};
    // A lone unquoted expansion is split into words as the shell does, or vanishes when empty.
    words = words.flatMap((w) => expansionFields(w.text, expandShell(w.text, env), w.quoted).map((text) => ({ text, line: w.line })));
  }
  const texts = words.map((w) => w.text);
  const inner: KnownEnv = known.shell ? { shell: known.shell } : {};
  const nested = (sw: Word): Deployment[] => {
    // `sh -c` inside `sh -c` …: bounded (a script whose -c text is itself never ends otherwise).
    if (shellDepth >= MAX_SHELL_NESTING) ctx.fail(sw.line, `shell commands nested more than ${MAX_SHELL_NESTING} deep (sh -c inside sh -c …)`);
    shellDepth++;
    try {
      const out: Deployment[] = [];
      for (const cmd of splitShellCommands(sw.text, sw.line)) {
        const ws = cmd.words.map((text, k) => ({ text, line: cmd.lines[k] ?? cmd.line, quoted: cmd.quoted[k] === true }));
        out.push(...fromCommandWords(ctx, ws, base, false, inner, true));
      }
      return out;
    } finally {
      shellDepth--;
    }
  };
  const script = shellScriptIndex(texts);
  if (script !== null) return nested(words[script]!);

  let inv = locateVllmInvocation(texts, { entrypointIsVllm });
  let image: string | null = null;
  if (inv?.via === "docker image") image = texts[inv.start] ?? null;
  if (!inv) {
    const imageIndex = otherVllmImageIndex(texts);
    if (imageIndex !== null) {
      const sub = locateVllmInvocation(texts.slice(imageIndex + 1), { entrypointIsVllm: true });
      if (sub) {
        const { env, gpus: dockerGpus } = containerRunOptions(texts, containerRunIndex(texts) + 1, imageIndex);
        inv = {
          ...sub,
          via: "docker image",
          start: imageIndex,
          modelIndex: sub.modelIndex === null ? null : sub.modelIndex + imageIndex + 1,
          argIndices: sub.argIndices.map((i) => i + imageIndex + 1),
          env,
          dockerGpus,
        };
        image = texts[imageIndex] ?? null;
      }
    }
  }
  if (!inv) {
    // A whole command handed over as one word (pm2 start "vllm serve …", tmux new -d "…", su -c "…").
    const one = words.find((w) => /\s/.test(w.text) && VLLM_IN_TEXT.test(w.text));
    return one ? nested(one) : [];
  }
  const startLine = words[inv.start]?.line ?? words[0]?.line ?? 1;
  const baseFields = base(startLine);
  const argv = inv.argIndices.map((k) => texts[k]!);
  const notes = [...baseFields.notes];
  let args: Record<string, string | true> = {};
  let problem: string | undefined;
  try {
    args = parseVllmArgs(argv);
  } catch (err) {
    if (!(err instanceof VllmArgError)) throw err;
    const word = words[inv.argIndices[err.index] ?? -1];
    problem = `line ${word?.line ?? baseFields.line}: ${err.message}`;
  }
  let model = inv.model;
  if (model === null && typeof args.model === "string") model = args.model;
  delete args.model;

  let gpuCount = baseFields.gpuCount;
  let devices = baseFields.devices ?? null;
  const cvd = lookup(inv.env, "CUDA_VISIBLE_DEVICES") ?? lookup(known.shell ?? {}, "CUDA_VISIBLE_DEVICES");
  const cuda = cvd === undefined ? null : cudaDeviceIds(cvd);
  if (cuda?.ids) {
    devices = cuda.ids;
    gpuCount = devices.length;
  }
  if (cuda?.note) notes.push(cuda.note);
  if (inv.dockerGpus !== null) {
    const asked = dockerGpuRequest(inv.dockerGpus);
    if (asked.count !== null) gpuCount ??= asked.count;
    else if (asked.devices !== null) {
      devices = asked.devices;
      gpuCount = devices.length;
    } else if (asked.all && gpuCount === null) notes.push("docker run --gpus all: every GPU of the host is visible; vLLM uses the first tensor × pipeline × data parallel of them");
  }
  const deployment: Deployment = {
    file: ctx.file,
    line: baseFields.line,
    name: baseFields.name,
    model,
    args,
    argv,
    gpuCount,
    gpuType: baseFields.gpuType,
    constraints: {},
    source: baseFields.source,
    notes,
    image: image ?? baseFields.image ?? null,
    devices,
    host: baseFields.host ?? null,
  };
  if (baseFields.dependsOn && baseFields.dependsOn.length > 0) deployment.dependsOn = baseFields.dependsOn;
  if (problem !== undefined) deployment.problem = problem;
  if (inv.via === "docker image") {
    // docker run's own options sit between `run` and the image.
    const run = containerRunIndex(texts);
    if (run >= 0 && run < inv.start) deployment.limits = dockerRunLimits(texts.slice(run + 1, inv.start), notes);
  }
  return [deployment];
}
