// The web page's script (`vram-plan web --out DIR`): plans in the browser with the CLI's own code — the
// argument table's reader (sources/vllm-flags.ts), the core (planWithLevers) and the HTML renderer
// (render/html.ts) — on the catalog's configs and the GPU profiles embedded as data by
// scripts/build-web.mjs. No Node module, no network. The state lives in the URL query with the CLI's
// flag names (?model=qwen2.5-7b&gpu=h100-sxm&max-model-len=32768), so a link reproduces a plan.
import data from "vram-plan-web-data";
import type { ConfigFiles, Json } from "../core/architecture.js";
import { modelArchFromConfig } from "../core/architecture.js";
import { archProblem } from "../core/arch-check.js";
import { planWithLevers } from "../core/levers.js";
import type { GpuProfile, ModelArch, Plan } from "../core/types.js";
import { vllmArg, vllmShortArg } from "../core/vllm-args.js";
import { NEWEST_MODELED } from "../core/vllm-versions.js";
import { engineFlagsFromArgv } from "../sources/vllm-flags.js";
import { parsePythonJson } from "../sources/python-json.js";
import { customGpuProfile, gpuCandidatesBy, gpuSpellings, normalizeGpuName } from "../sources/gpu-names.js";
import { sizeFlag } from "../sources/flag-values.js";
import { esc, planSectionHtml } from "../render/html.js";
import { shellWord } from "../render/messages.js";
import type { WebData, WebGpu } from "./data.js";

const DATA = data as WebData;

/** Query keys that are vram-plan's (not vLLM flags): the model, the GPU, a pasted config. */
const OWN = ["model", "gpu", "gpu-memory", "config-json"] as const;

/** The CLI's output options: a link may carry them; they change no number, so the page ignores them. */
const IGNORED = ["format", "json", "explain", "no-color", "color", "offline"];

/** The flags the form shows, with vLLM's names; any other vLLM flag in the query is kept and applied. */
const FIELDS: { name: string; placeholder: string; title?: string }[] = [
  { name: "tensor-parallel-size", placeholder: "1" },
  { name: "pipeline-parallel-size", placeholder: "1" },
  { name: "data-parallel-size", placeholder: "1" },
  { name: "gpu-memory-utilization", placeholder: "release default" },
  { name: "max-model-len", placeholder: "model's maximum", title: "tokens; 32k = 32000, 32K = 32768, as vLLM reads them" },
  { name: "max-num-seqs", placeholder: "vLLM's default" },
  { name: "max-num-batched-tokens", placeholder: "vLLM's default" },
  { name: "dtype", placeholder: "default (auto)" },
  { name: "kv-cache-dtype", placeholder: "default (auto)" },
  { name: "quantization", placeholder: "from the checkpoint" },
  { name: "block-size", placeholder: "16" },
  { name: "limit-mm-per-prompt", placeholder: '{"image":1,"video":0}' },
  { name: "mm-processor-kwargs", placeholder: '{"max_pixels":1003520}' },
  { name: "kv-cache-memory-bytes", placeholder: "from the budget" },
  { name: "cpu-offload-gb", placeholder: "0" },
  { name: "enforce-eager", placeholder: "" },
  { name: "vllm-version", placeholder: NEWEST_MODELED, title: "vram-plan: the vLLM release to model" },
  { name: "other-process-memory", placeholder: "0", title: "vram-plan: memory other processes hold on each GPU (e.g. 2GiB)" },
];

type State = Map<string, string>;

function stateFromQuery(search: string): State {
  const s: State = new Map();
  for (const [k, v] of new URLSearchParams(search)) {
    // A single-dash alias (?tp=2) is kept under vLLM's long name, so the form shows it.
    if (IGNORED.includes(k)) continue;
    const short = vllmArg(k) ? undefined : vllmShortArg(k);
    const name = short ? short.name : k;
    // A switch written bare (?enforce-eager) is on.
    s.set(name, v === "" && (vllmArg(name)?.kind === "bool") ? "true" : v);
  }
  if (!s.has("model")) s.set("model", "qwen2.5-7b");
  if (!s.has("gpu") && !s.has("gpu-memory")) s.set("gpu", "h100-sxm");
  return s;
}

function queryOf(s: State): string {
  const q = new URLSearchParams();
  for (const [k, v] of s) if (v !== "") q.set(k, v);
  return q.toString();
}

class PageError extends Error {}

interface Resolved {
  arch: ModelArch;
  /** The model as `vllm serve` names it. */
  serveName: string;
}

function resolveModel(s: State): Resolved {
  const name = (s.get("model") ?? "").trim();
  if (name === "config") {
    const text = s.get("config-json") ?? "";
    if (text.trim() === "") throw new PageError("config.json: paste the model's config.json into the box");
    let config: Json;
    try {
      config = parsePythonJson(text);
    } catch (e) {
      throw new PageError(`config.json: not valid JSON (${(e as Error).message})`);
    }
    const id = config !== null && typeof config === "object" && !Array.isArray(config) && typeof config["_name_or_path"] === "string" && config["_name_or_path"] !== "" ? config["_name_or_path"] : "pasted-config";
    return { arch: archOf(id, { config }, "config.json"), serveName: id === "pasted-config" ? "/path/to/model" : id };
  }
  const hfId = DATA.aliases[name.toLowerCase()];
  const m = hfId === undefined ? undefined : DATA.models.find((x) => x.hfId === hfId);
  if (!m) throw new PageError(`--model ${name}: not in the catalog; pick one, or paste a config.json`);
  return { arch: archOf(m.hfId, m.files, `--model ${name}`), serveName: m.hfId };
}

function archOf(id: string, files: ConfigFiles, subject: string): ModelArch {
  let arch: ModelArch;
  try {
    arch = modelArchFromConfig(id, files);
  } catch (e) {
    throw new PageError(`${subject}: ${(e as Error).message}`);
  }
  const p = archProblem(arch);
  if (p) throw new PageError(`${subject}: the model's ${p.field} ${p.rule} (from its config)`);
  return arch;
}

/** The profiles a name could mean, as sources/gpus.ts gpuCandidates reads names (a trailing size as the datasheet's). */
function gpuCandidates(name: string): WebGpu[] {
  return gpuCandidatesBy(name, (spelling) => DATA.gpus.filter((g) => gpuSpellings(g).some((k) => normalizeGpuName(k) === spelling)));
}

/** --gpu / --gpu-memory as the CLI reads them (sources/gpus.ts gpuFrom). */
function resolveGpu(s: State): GpuProfile {
  const memText = s.get("gpu-memory") ?? "";
  const mem = memText !== "" ? sizeFlag("--gpu-memory", memText, 1) : undefined;
  if (mem !== undefined && mem < 2 ** 30) throw new PageError(`--gpu-memory ${memText}: less than 1 GiB; did you mean ${memText}GiB?`);
  const name = s.get("gpu") ?? "";
  if (name === "") {
    if (mem === undefined) throw new PageError("--gpu: pick a GPU, or give --gpu-memory");
    return customGpuProfile(memText, mem, DATA.gpus.find((g) => g.id === "h100-sxm"));
  }
  const c = gpuCandidates(name);
  if (c.length !== 1) throw new PageError(c.length > 1 ? `--gpu ${name}: ambiguous, it names ${c.map((g) => g.id).join(", ")}` : `--gpu ${name}: unknown GPU`);
  const g = c[0] as WebGpu;
  return { id: g.id, name: g.name, cudaTotalBytes: mem ?? g.cudaTotalBytes, computeCapability: g.computeCapability, smCount: g.smCount, source: g.source };
}

/** The vLLM words of the state, as the CLI's argv would hold them. */
function vllmWords(s: State): string[] {
  const words: string[] = [];
  for (const [key, v] of s) {
    if ((OWN as readonly string[]).includes(key) || v === "") continue;
    // vLLM's single-dash aliases read too (?tp=2 as -tp 2).
    const arg = vllmArg(key) ?? vllmShortArg(key);
    if (!arg) throw new PageError(`--${key}: not a vLLM argument`);
    const k = arg.name;
    if (arg.kind === "bool") {
      if (v === "true" || v === "1") words.push(`--${k}`);
      else if (v === "false" || v === "0") {
        if (arg.negatable) words.push(`--no-${k}`);
      } else throw new PageError(`--${k}: a switch: true or false, got '${v}'`);
    } else words.push(`--${k}`, v);
  }
  return words;
}

/** `vllm serve MODEL --flag value ...` for the state (vram-plan's own flags left out). */
export function serveCommand(s: State, serveName: string): string {
  const parts = ["vllm", "serve", shellWord(serveName)];
  const words = vllmWords(s);
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    const arg = vllmArg(w.replace(/^--(no-)?/, ""));
    const takesValue = arg !== undefined && arg.kind !== "bool";
    if (arg?.vramPlan) {
      if (takesValue) i++;
      continue;
    }
    parts.push(w);
    if (takesValue) parts.push(shellWord(words[++i] ?? ""));
  }
  return parts.join(" ");
}

export interface Computed {
  plan: Plan;
  serve: string;
}

/** The plan for a state, or the one-line error the CLI would give. */
export function compute(s: State): Computed {
  const model = resolveModel(s);
  const gpu = resolveGpu(s);
  const flags = engineFlagsFromArgv(vllmWords(s), { vramPlanFlags: true, positionalModel: false }).flags;
  const plan = planWithLevers({ model: model.arch, gpu, flags }, { explain: true, whatIf: true });
  return { plan, serve: serveCommand(s, model.serveName) };
}

// ---------------------------------------------------------------------------------------------
// The page
// ---------------------------------------------------------------------------------------------

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

function formHtml(s: State): string {
  const models = DATA.models.map((m) => `<option value="${esc(m.short)}">${esc(m.short)}${m.short !== m.hfId.toLowerCase() ? ` — ${esc(m.hfId)}` : ""}</option>`).join("");
  const gpus = DATA.gpus.map((g) => `<option value="${esc(g.id)}">${esc(g.id)} — ${esc(g.name)} (${(g.cudaTotalBytes / 2 ** 30).toFixed(2)} GiB)</option>`).join("");
  const fields = FIELDS.map((f) => {
    const arg = vllmArg(f.name);
    const title = esc(f.title ?? arg?.help ?? "");
    if (arg?.kind === "bool") return `<label class="switch" title="${title}"><input type="checkbox" name="${esc(f.name)}"><span>--${esc(f.name)}</span></label>`;
    if (arg?.choices) return `<label title="${title}"><span>--${esc(f.name)}</span><select name="${esc(f.name)}"><option value="">${esc(f.placeholder)}</option>${arg.choices.map((c) => `<option>${esc(c)}</option>`).join("")}</select></label>`;
    return `<label title="${title}"><span>--${esc(f.name)}</span><input name="${esc(f.name)}" placeholder="${esc(f.placeholder)}" autocomplete="off" spellcheck="false"></label>`;
  }).join("");
  const extra = [...s.keys()].filter((k) => !(OWN as readonly string[]).includes(k) && !FIELDS.some((f) => f.name === k));
  return `<div class="pickers">
<label><span>model</span><select id="model" name="model">${models}<option value="config">another model: paste its config.json…</option></select></label>
<label><span>GPU</span><select id="gpu" name="gpu"><option value="">custom (--gpu-memory)</option>${gpus}</select></label>
<label title="CUDA-visible memory per GPU, e.g. 79.18GiB; overrides the GPU's"><span>--gpu-memory</span><input name="gpu-memory" placeholder="the GPU's" autocomplete="off"></label>
</div>
<label id="config-box" hidden><span>config.json</span><textarea name="config-json" rows="6" spellcheck="false" placeholder="{ &quot;architectures&quot;: [&quot;LlamaForCausalLM&quot;], … }"></textarea></label>
<fieldset><legend>vLLM flags (vLLM's names; empty = vLLM's default)</legend><div class="flags">${fields}</div>${extra.length ? `<p class="muted">Also applied from the link: ${extra.map((k) => `<code>--${esc(k)} ${esc(s.get(k) ?? "")}</code>`).join(" ")}</p>` : ""}</fieldset>`;
}

function fillForm(form: HTMLFormElement, s: State): void {
  for (const el of Array.from(form.elements)) {
    const e = el as HTMLInputElement;
    if (!e.name) continue;
    const v = s.get(e.name) ?? "";
    if (e.type === "checkbox") e.checked = v === "true" || v === "1";
    else if (e instanceof HTMLSelectElement && v !== "" && !Array.from(e.options).some((o) => o.value === v)) {
      // A value given in the link as another spelling (qwen2.5-7b-instruct, H100): keep it selectable.
      e.add(new Option(v, v));
      e.value = v;
    } else e.value = v;
  }
  $("config-box").hidden = s.get("model") !== "config";
}

function readForm(form: HTMLFormElement, prev: State): State {
  const s: State = new Map();
  for (const el of Array.from(form.elements)) {
    const e = el as HTMLInputElement;
    if (!e.name) continue;
    const v = e.type === "checkbox" ? (e.checked ? "true" : "") : e.value.trim();
    if (v !== "") s.set(e.name, v);
  }
  // Flags from the link that the form does not show stay applied.
  for (const [k, v] of prev) if (!s.has(k) && !FIELDS.some((f) => f.name === k) && !(OWN as readonly string[]).includes(k)) s.set(k, v);
  return s;
}

function show(s: State): void {
  const err = $("error");
  try {
    const { plan, serve } = compute(s);
    $("result").innerHTML = planSectionHtml(plan);
    // Each word unbroken (Chromium would break "--kv-cache-dtype" at its hyphens); the text is the command.
    $("serve").innerHTML = serve.split(" ").map((w) => `<span class="w">${esc(w)}</span>`).join(" ");
    err.hidden = true;
    err.textContent = "";
  } catch (e) {
    // Bad input is a message on the page (as the CLI's one line), never an exception in the console.
    err.textContent = e instanceof Error ? e.message : String(e);
    err.hidden = false;
    $("result").innerHTML = "";
    $("serve").textContent = "";
  }
}

function updateUrl(s: State): void {
  const q = queryOf(s);
  try {
    history.replaceState(null, "", `${location.pathname}${q ? `?${q}` : ""}`);
  } catch {
    // Some browsers refuse to change a file:// URL; the page still works, only the link does not follow.
  }
}

function start(): void {
  let state = stateFromQuery(location.search);
  const form = $<HTMLFormElement>("form");
  form.innerHTML = formHtml(state);
  fillForm(form, state);
  const update = (): void => {
    state = readForm(form, state);
    $("config-box").hidden = state.get("model") !== "config";
    updateUrl(state);
    show(state);
  };
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  form.addEventListener("submit", (e) => e.preventDefault());
  $("copy").addEventListener("click", () => {
    const text = $("serve").textContent ?? "";
    const done = (ok: boolean): void => {
      $("copied").textContent = ok ? "copied" : "select the command and copy it";
    };
    if (navigator.clipboard) navigator.clipboard.writeText(text).then(() => done(true), () => done(false));
    else done(false);
  });
  show(state);
}

if (typeof document !== "undefined") {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
}
