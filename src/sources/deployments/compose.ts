// docker compose files: each service's entrypoint + command (string or list), the vLLM image's own
// entrypoint when the command starts with flags or a model, GPUs from device reservations.
import { isVllmOpenAiImage } from "../vllm-argv.js";
import { countDeviceList, fromCommandWords, lookup, rec, str, type Ctx, type Deployment, type Json, type Word } from "./common.js";
import { lineAt, wordsAt, type YamlFile, yamlValue } from "./yaml.js";

function composeGpuCount(svc: Record<string, Json>, notes: string[]): number | null {
  const env = composeEnv(svc.environment);
  const cvd = lookup(env, "CUDA_VISIBLE_DEVICES");
  if (cvd !== undefined && countDeviceList(cvd) !== null) return countDeviceList(cvd);

  const devices = rec(rec(rec(svc.deploy)?.resources)?.reservations)?.devices;
  let total: number | null = null;
  if (Array.isArray(devices)) {
    for (const d of devices) {
      const dev = rec(d);
      if (!dev) continue;
      const caps = Array.isArray(dev.capabilities) ? dev.capabilities.flat() : [];
      if (dev.driver !== "nvidia" && !caps.includes("gpu")) continue;
      let n: number | null = null;
      if (Array.isArray(dev.device_ids)) n = dev.device_ids.length;
      else if (typeof dev.count === "number") n = dev.count;
      else if (typeof dev.count === "string" && /^\d+$/.test(dev.count.trim())) n = Number(dev.count.trim());
      else if (typeof dev.count === "string" && dev.count.trim().toLowerCase() === "all") {
        notes.push("GPU reservation count: all; the GPU count depends on the host");
        return null;
      } else if (dev.count === undefined) {
        notes.push("GPU reservation without count or device_ids (means all GPUs); the GPU count depends on the host");
        return null;
      }
      if (n !== null) total = (total ?? 0) + n;
    }
  }
  if (total !== null) return total;
  const nvd = lookup(env, "NVIDIA_VISIBLE_DEVICES");
  if (nvd !== undefined) return countDeviceList(nvd);
  return null;
}

function expandCompose(text: string): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?])([^}]*)\}/g, (m, name: string | undefined, op: string | undefined, def: string | undefined) =>
    name === undefined ? "$" : op === ":-" || op === "-" ? (def ?? "") : m,
  );
}

function composeEnv(v: Json): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(v)) {
    for (const item of v) {
      if (typeof item !== "string") continue;
      const eq = item.indexOf("=");
      if (eq > 0) out[item.slice(0, eq)] = item.slice(eq + 1);
    }
  } else {
    const r = rec(v);
    if (r) for (const [k, x] of Object.entries(r)) if (x !== null && typeof x !== "object") out[k] = String(x);
  }
  return out;
}

export function readCompose(ctx: Ctx, f: YamlFile): Deployment[] {
  const out: Deployment[] = [];
  for (const doc of f.docs) {
    const js = rec(yamlValue(doc) as Json);
    const services = rec(js?.services);
    if (!services) continue;
    for (const [name, svcJs] of Object.entries(services)) {
      const svc = rec(svcJs);
      if (!svc) continue;
      const line = lineAt(f, doc, ["services", name]);
      const image = expandCompose(str(svc.image) ?? "");
      // Compose interpolates the file itself: $$ → $, ${VAR:-default} → default (host variables are unknown here).
      const interp = (w: Word): Word => ({ text: expandCompose(w.text), line: w.line });
      const entry = (wordsAt(f, doc, ["services", name, "entrypoint"], svc.entrypoint, line) ?? []).map(interp);
      const cmd = (wordsAt(f, doc, ["services", name, "command"], svc.command, line) ?? []).map(interp);
      const vllmEntrypoint = svc.entrypoint === undefined && isVllmOpenAiImage(image);
      if (entry.length === 0 && cmd.length === 0) continue;
      const notes: string[] = [];
      const gpuCount = composeGpuCount(svc, notes);
      out.push(
        ...fromCommandWords(
          ctx,
          [...entry, ...cmd],
          () => ({ name, line, source: "compose", gpuCount, gpuType: null, notes }),
          vllmEntrypoint,
          { shell: composeEnv(svc.environment) },
        ),
      );
    }
  }
  return out;
}
