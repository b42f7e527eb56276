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
import { REFERENCE_GPU_ID, customGpuProfile, profileOfGpu, gpuCandidatesBy, gpuSpellings, normalizeGpuName } from "../sources/gpu-names.js";
import { sizeFlag } from "../sources/flag-values.js";
import { esc, planSectionHtml } from "../render/html.js";
import { shellWord } from "../render/messages.js";
import { gibText } from "../core/text.js";
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
  const state: State = new Map();
  for (const [key, value] of new URLSearchParams(search)) {
    // A single-dash alias (?tp=2) is kept under vLLM's long name, so the form shows it.
    if (IGNORED.includes(key)) continue;
    const short = vllmArg(key) ? undefined : vllmShortArg(key);
    const name = short ? short.name : key;
    // A switch written bare (?enforce-eager) is on.
    state.set(name, value === "" && (vllmArg(name)?.kind === "bool") ? "true" : value);
  }
  if (!state.has("model")) state.set("model", "qwen2.5-7b");
  if (!state.has("gpu") && !state.has("gpu-memory")) state.set("gpu", REFERENCE_GPU_ID);
  return state;
}

function queryOf(state: State): string {
  const query = new URLSearchParams();
  for (const [k, v] of state) if (v !== "") query.set(k, v);
  return query.toString();
}

class PageError extends Error {}

interface Resolved {
  arch: ModelArch;
  /** The model as `vllm serve` names it. */
  serveName: string;
}

function resolveModel(state: State): Resolved {
  const name = (state.get("model") ?? "").trim();
  if (name === "config") {
    const text = state.get("config-json") ?? "";
    if (text.trim() === "") throw new PageError("config.json: paste the model's config.json into the box");
    let config: Json;
    try {
      config = parsePythonJson(text);
    } catch (err) {
      throw new PageError(`config.json: not valid JSON (${(err as Error).message})`);
    }
    const id = config !== null && typeof config === "object" && !Array.isArray(config) && typeof config["_name_or_path"] === "string" && config["_name_or_path"] !== "" ? config["_name_or_path"] : "pasted-config";
    return { arch: archOf(id, { config }, "config.json"), serveName: id === "pasted-config" ? "/path/to/model" : id };
  }
  const hfId = DATA.aliases[name.toLowerCase()];
  const model = hfId === undefined ? undefined : DATA.models.find((x) => x.hfId === hfId);
  if (!model) throw new PageError(`--model ${name}: not in the catalog; pick one, or paste a config.json`);
  return { arch: archOf(model.hfId, model.files, `--model ${name}`), serveName: model.hfId };
}

function archOf(id: string, files: ConfigFiles, subject: string): ModelArch {
  let arch: ModelArch;
  try {
    arch = modelArchFromConfig(id, files);
  } catch (err) {
    throw new PageError(`${subject}: ${(err as Error).message}`);
  }
  const problem = archProblem(arch);
  if (problem) throw new PageError(`${subject}: the model's ${problem.field} ${problem.rule} (from its config)`);
  return arch;
}

/** The profiles a name could mean, as sources/gpus.ts gpuCandidates reads names (a trailing size as the datasheet's). */
function gpuCandidates(name: string): WebGpu[] {
  return gpuCandidatesBy(name, (spelling) => DATA.gpus.filter((g) => gpuSpellings(g).some((k) => normalizeGpuName(k) === spelling)));
}

/** --gpu / --gpu-memory as the CLI reads them (sources/gpus.ts gpuFrom). */
function resolveGpu(state: State): GpuProfile {
  const memText = state.get("gpu-memory") ?? "";
  const mem = memText !== "" ? sizeFlag("--gpu-memory", memText, 1) : undefined;
  if (mem !== undefined && mem < 2 ** 30) throw new PageError(`--gpu-memory ${memText}: less than 1 GiB; did you mean ${memText}GiB?`);
  const name = state.get("gpu") ?? "";
  if (name === "") {
    if (mem === undefined) throw new PageError("--gpu: pick a GPU, or give --gpu-memory");
    return customGpuProfile(memText, mem, DATA.gpus.find((g) => g.id === REFERENCE_GPU_ID));
  }
  const candidates = gpuCandidates(name);
  if (candidates.length !== 1) throw new PageError(candidates.length > 1 ? `--gpu ${name}: ambiguous, it names ${candidates.map((g) => g.id).join(", ")}` : `--gpu ${name}: unknown GPU`);
  const gpu = candidates[0] as WebGpu;
  return profileOfGpu(gpu, mem ?? gpu.cudaTotalBytes);
}

/** The vLLM words of the state, as the CLI's argv would hold them. */
function vllmWords(state: State): string[] {
  const words: string[] = [];
  for (const [key, value] of state) {
    if ((OWN as readonly string[]).includes(key) || value === "") continue;
    // vLLM's single-dash aliases read too (?tp=2 as -tp 2).
    const arg = vllmArg(key) ?? vllmShortArg(key);
    if (!arg) throw new PageError(`--${key}: not a vLLM argument`);
    const name = arg.name;
    if (arg.kind === "bool") {
      if (value === "true" || value === "1") words.push(`--${name}`);
      else if (value === "false" || value === "0") {
        if (arg.negatable) words.push(`--no-${name}`);
      } else throw new PageError(`--${name}: a switch: true or false, got '${value}'`);
    } else words.push(`--${name}`, value);
  }
  return words;
}

/** `vllm serve MODEL --flag value ...` for the state (vram-plan's own flags left out). */
export function serveCommand(state: State, serveName: string): string {
  const parts = ["vllm", "serve", shellWord(serveName)];
  const words = vllmWords(state);
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    const arg = vllmArg(word.replace(/^--(no-)?/, ""));
    const takesValue = arg !== undefined && arg.kind !== "bool";
    if (arg?.vramPlan) {
      if (takesValue) i++;
      continue;
    }
    parts.push(word);
    if (takesValue) parts.push(shellWord(words[++i] ?? ""));
  }
  return parts.join(" ");
}

export interface Computed {
  plan: Plan;
  serve: string;
}

/** The plan for a state, or the one-line error the CLI would give. */
export function compute(state: State): Computed {
  const model = resolveModel(state);
  const gpu = resolveGpu(state);
  const flags = engineFlagsFromArgv(vllmWords(state), { vramPlanFlags: true, positionalModel: false }).flags;
  const plan = planWithLevers({ model: model.arch, gpu, flags }, { explain: true, whatIf: true });
  return { plan, serve: serveCommand(state, model.serveName) };
}

// ---------------------------------------------------------------------------------------------
// The page
// ---------------------------------------------------------------------------------------------

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

function formHtml(state: State): string {
  const models = DATA.models.map((m) => `<option value="${esc(m.short)}">${esc(m.short)}${m.short !== m.hfId.toLowerCase() ? ` — ${esc(m.hfId)}` : ""}</option>`).join("");
  const gpus = DATA.gpus.map((g) => `<option value="${esc(g.id)}">${esc(g.id)} — ${esc(g.name)} (${gibText(g.cudaTotalBytes)})</option>`).join("");
  const fields = FIELDS.map((field) => {
    const arg = vllmArg(field.name);
    const title = esc(field.title ?? arg?.help ?? "");
    if (arg?.kind === "bool") return `<label class="switch" title="${title}"><input type="checkbox" name="${esc(field.name)}"><span>--${esc(field.name)}</span></label>`;
    if (arg?.choices) return `<label title="${title}"><span>--${esc(field.name)}</span><select name="${esc(field.name)}"><option value="">${esc(field.placeholder)}</option>${arg.choices.map((c) => `<option>${esc(c)}</option>`).join("")}</select></label>`;
    return `<label title="${title}"><span>--${esc(field.name)}</span><input name="${esc(field.name)}" placeholder="${esc(field.placeholder)}" autocomplete="off" spellcheck="false"></label>`;
  }).join("");
  const extra = [...state.keys()].filter((k) => !(OWN as readonly string[]).includes(k) && !FIELDS.some((f) => f.name === k));
  return `<div class="pickers">
<label><span>model</span><select id="model" name="model">${models}<option value="config">another model: paste its config.json…</option></select></label>
<label><span>GPU</span><select id="gpu" name="gpu"><option value="">custom (--gpu-memory)</option>${gpus}</select></label>
<label title="CUDA-visible memory per GPU, e.g. 79.18GiB; overrides the GPU's"><span>--gpu-memory</span><input name="gpu-memory" placeholder="the GPU's" autocomplete="off"></label>
</div>
<label id="config-box" hidden><span>config.json</span><textarea name="config-json" rows="6" spellcheck="false" placeholder="{ &quot;architectures&quot;: [&quot;LlamaForCausalLM&quot;], … }"></textarea></label>
<fieldset><legend>vLLM flags (vLLM's names; empty = vLLM's default)</legend><div class="flags">${fields}</div>${extra.length ? `<p class="muted">Also applied from the link: ${extra.map((k) => `<code>--${esc(k)} ${esc(state.get(k) ?? "")}</code>`).join(" ")}</p>` : ""}</fieldset>`;
}

function fillForm(form: HTMLFormElement, state: State): void {
  for (const el of Array.from(form.elements)) {
    const input = el as HTMLInputElement;
    if (!input.name) continue;
    const value = state.get(input.name) ?? "";
    if (input.type === "checkbox") input.checked = value === "true" || value === "1";
    else if (input instanceof HTMLSelectElement && value !== "" && !Array.from(input.options).some((o) => o.value === value)) {
      // A value given in the link as another spelling (qwen2.5-7b-instruct, H100): keep it selectable.
      input.add(new Option(value, value));
      input.value = value;
    } else input.value = value;
  }
  $("config-box").hidden = state.get("model") !== "config";
}

function readForm(form: HTMLFormElement, prev: State): State {
  const state: State = new Map();
  for (const el of Array.from(form.elements)) {
    const input = el as HTMLInputElement;
    if (!input.name) continue;
    const value = input.type === "checkbox" ? (input.checked ? "true" : "") : input.value.trim();
    if (value !== "") state.set(input.name, value);
  }
  // Flags from the link that the form does not show stay applied.
  for (const [k, v] of prev) if (!state.has(k) && !FIELDS.some((f) => f.name === k) && !(OWN as readonly string[]).includes(k)) state.set(k, v);
  return state;
}

function show(state: State): void {
  const err = $("error");
  try {
    const { plan, serve } = compute(state);
    $("result").innerHTML = planSectionHtml(plan);
    // Each word unbroken (Chromium would break "--kv-cache-dtype" at its hyphens); the text is the command.
    $("serve").innerHTML = serve.split(" ").map((w) => `<span class="w">${esc(w)}</span>`).join(" ");
    err.hidden = true;
    err.textContent = "";
  } catch (failure) {
    // Bad input is a message on the page (as the CLI's one line), never an exception in the console.
    err.textContent = failure instanceof Error ? failure.message : String(failure);
    err.hidden = false;
    $("result").innerHTML = "";
    $("serve").textContent = "";
  }
}

function updateUrl(state: State): void {
  const query = queryOf(state);
  try {
    history.replaceState(null, "", `${location.pathname}${query ? `?${query}` : ""}`);
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
