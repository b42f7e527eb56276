// docker compose files: each service's entrypoint + command (string or list), the vLLM image's own
// entrypoint when the command starts with flags or a model, GPUs from device reservations.
import { vllmArg } from "../../core/vllm-args.js";
import { isVllmOpenAiImage } from "../vllm-argv.js";
import { normalizeFlagName } from "../vllm-flags.js";
import { composeLimits } from "./limits.js";
import { containerDeviceIds } from "../visible-devices.js";
import { charge, fromCommandWords, lookup, rec, str, type BuildBase, type Ctx, type Deployment, type Json, type ReadOptions, type Word } from "./common.js";
import { lineAt, wordsAt, yamlValue, type YamlFile } from "./yaml.js";
import { MAX_GPU_COUNT, excerpt } from "../../limits.js";

/** The GPUs a service reserves: host device ids when it says which (device_ids, NVIDIA_VISIBLE_DEVICES), else the first `count`. */
function composeGpus(svc: Record<string, Json>, env: Record<string, string>, notes: string[], bad: (what: string) => never): { count: number | null; devices: string[] | null } {
  const reservations = rec(rec(rec(svc.deploy)?.resources)?.reservations)?.devices;
  let count: number | null = null;
  let ids: string[] | null = null;
  if (Array.isArray(reservations)) {
    for (const doc of reservations) {
      const dev = rec(doc);
      if (!dev) continue;
      const caps = Array.isArray(dev.capabilities) ? dev.capabilities.flat() : [];
      if (dev.driver !== "nvidia" && !caps.includes("gpu")) continue;
      if (Array.isArray(dev.device_ids)) {
        ids = [...(ids ?? []), ...dev.device_ids.map(String)];
        count = (count ?? 0) + dev.device_ids.length;
      } else if (dev.count === -1 || dev.count === "-1") {
        // The Docker API's -1 is compose's "all".
        notes.push("GPU reservation count: -1 (all); every GPU of the host is visible");
      } else if (typeof dev.count === "number" || (typeof dev.count === "string" && /^\s*[-+]?[\d.]+\s*$/.test(dev.count))) {
        const reserved = Number(dev.count);
        if (!Number.isInteger(reserved) || reserved < 0 || reserved > MAX_GPU_COUNT) bad(`deploy.resources.reservations.devices count: expected a whole number of GPUs from 0 to ${MAX_GPU_COUNT} or "all", got ${excerpt(dev.count)}`);
        count = (count ?? 0) + reserved;
      } else if (typeof dev.count === "string" && dev.count.trim().toLowerCase() === "all") {
        notes.push("GPU reservation count: all; every GPU of the host is visible");
      } else if (dev.count === undefined) {
        notes.push("GPU reservation without count or device_ids (all GPUs of the host are visible)");
      }
    }
  }
  const nvd = lookup(env, "NVIDIA_VISIBLE_DEVICES");
  const listed = nvd === undefined ? null : containerDeviceIds(nvd);
  if (ids === null && listed !== null) {
    ids = listed;
    count = ids.length;
  }
  // Docker hands `count: N` the host's first N GPUs (it does not keep other containers off them).
  if (ids === null && count !== null) ids = Array.from({ length: count }, (_, i) => String(i));
  return { count, devices: ids };
}

/** docker compose's interpolation of the file: $$ → $, ${VAR}, $VAR, ${VAR:-default}, ${VAR-default}, ${VAR:?err}. */
function expandCompose(text: string, env: Record<string, string>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, braced: string | undefined, op: string | undefined, def: string | undefined, bare: string | undefined) => {
      if (whole === "$$") return "$";
      const name = braced ?? bare ?? "";
      const value = lookup(env, name);
      // Substitutions are charged against the file's expansion budget (common.ts charge).
      if (op === ":-") return charge(value !== undefined && value !== "" ? value : (def ?? ""));
      if (op === "-") return charge(value !== undefined ? value : (def ?? ""));
      if (op === ":+") return value !== undefined && value !== "" ? (def ?? "") : "";
      if (op === "+") return value !== undefined ? (def ?? "") : "";
      return value !== undefined ? charge(value) : whole;
    },
  );
}

/** KEY=VALUE lines of a compose .env file (quotes removed, `#` comments after unquoted values dropped). */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(raw);
    if (!match) continue;
    let value = match[2] ?? "";
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.indexOf(quote, 1) > 0) value = value.slice(1, value.indexOf(quote, 1));
    else value = value.replace(/\s+#.*$/, "").trim();
    out[match[1]!] = value;
  }
  return out;
}

function composeEnv(value: Json, interp: (s: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item !== "string") continue;
      const eq = item.indexOf("=");
      if (eq > 0) out[item.slice(0, eq)] = interp(item.slice(eq + 1));
    }
  } else {
    const map = rec(value);
    if (map) for (const [k, x] of Object.entries(map)) if (x !== null && typeof x !== "object") out[k] = interp(String(x));
  }
  return out;
}

/**
 * Whether a word of a built image's command is a vLLM engine flag, so the image's entrypoint is taken to
 * be vLLM's: --model, --served-model-name, or a flag the argument table (core/vllm-args.ts) marks as
 * changing the memory plan. Generic ones (--host, --port, --api-key) say nothing about the server.
 */
function isEngineFlagWord(text: string): boolean {
  const flag = /^--([A-Za-z0-9_-]+)(=|$)/.exec(text);
  if (!flag) return false;
  const name = normalizeFlagName(flag[1]!);
  const arg = vllmArg(name);
  return arg !== undefined && !arg.vramPlan && (arg.effect === "modeled" || name === "model" || name === "served-model-name");
}

function dependsOn(value: Json): string[] {
  if (Array.isArray(value)) return value.filter((x): x is string => typeof x === "string");
  const map = rec(value);
  return map ? Object.keys(map) : [];
}

export function readCompose(ctx: Ctx, yaml: YamlFile, opts: ReadOptions = {}): Deployment[] {
  const out: Deployment[] = [];
  // What compose interpolates with: the shell environment (here: --set) over the .env file beside it.
  const env = { ...(opts.dotenv ?? {}), ...(opts.vars ?? {}) };
  const interp = (s: string): string => expandCompose(s, env);
  for (const doc of yaml.docs) {
    const js = rec(yamlValue(doc) as Json);
    const services = rec(js?.services);
    if (!services) continue;
    for (const [name, svcJs] of Object.entries(services)) {
      let svc = rec(svcJs);
      if (!svc) continue;
      const line = lineAt(yaml, doc, ["services", name]);
      const notes: string[] = [];
      // `extends` within this file: the base service's keys under this one's.
      const ext = svc.extends;
      const extName = typeof ext === "string" ? ext : str(rec(ext)?.service);
      if (extName !== null && extName !== undefined) {
        if (rec(ext)?.file !== undefined) notes.push(`extends ${extName} from ${String(rec(ext)?.file)}: that file is not read; check it too`);
        else if (rec(services[extName])) svc = { ...rec(services[extName]), ...svc };
      }
      const image = interp(str(svc.image) ?? "");
      const wordsOf = (key: string): Word[] => {
        const own = svcJs !== null && typeof svcJs === "object" && key in (svcJs as Record<string, Json>);
        const ws = own ? wordsAt(yaml, doc, ["services", name, key], svc?.[key], line) : wordsAt(yaml, doc, ["services", extName ?? name, key], svc?.[key], line);
        return (ws ?? []).map((w) => ({ text: interp(w.text), line: w.line }));
      };
      const entry = wordsOf("entrypoint");
      const cmd = wordsOf("command");
      const vllmImage = isVllmOpenAiImage(image) || /vllm/i.test(image);
      const vllmEntrypoint = svc.entrypoint === undefined && (vllmImage || (svc.build !== undefined && cmd.some((w) => isEngineFlagWord(w.text))));
      const svcEnv = composeEnv(svc.environment, interp);
      const gpus = composeGpus(svc, svcEnv, notes, (what) => ctx.fail(line, `${name}: ${what}`));
      const base = (): BuildBase => ({
        name,
        line,
        source: "compose",
        gpuCount: gpus.count,
        gpuType: null,
        notes,
        image: image || null,
        devices: gpus.devices,
        host: ctx.file,
        dependsOn: dependsOn(svc?.depends_on),
      });
      if (entry.length === 0 && cmd.length === 0) {
        if (isVllmOpenAiImage(image)) {
          // The image's entrypoint with no arguments: vLLM would stop at start-up asking for a model.
          const built = base();
          out.push({ file: ctx.file, line, name, model: null, args: {}, argv: [], gpuCount: built.gpuCount, gpuType: null, constraints: {}, source: "compose", notes, image, devices: built.devices ?? null, host: ctx.file, problem: `runs ${image} without a command: no model is given, so vLLM would not start` });
        }
        continue;
      }
      const limits = composeLimits(svc, notes, interp);
      for (const deployment of fromCommandWords(ctx, [...entry, ...cmd], base, vllmEntrypoint, { shell: svcEnv })) {
        deployment.limits = limits;
        out.push(deployment);
      }
    }
  }
  return out;
}
