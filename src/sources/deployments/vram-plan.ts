// vram-plan's own deployments file (YAML or JSON), validated with zod; unknown keys are errors.
import type { FlagValue } from "./vram-plan-schema.js";
import { normalizeFlagName } from "../vllm-flags.js";
import { isVllmSwitch } from "../vllm-flags.js";
import type { Ctx, Deployment, DeploymentConstraints, Json } from "./common.js";
import { lineAt, type YamlFile, yamlValue } from "./yaml.js";
import { parseTokens } from "../../units.js";
import { MAX_TOKENS } from "../../limits.js";
import { InternalError } from "../../core/errors.js";


// The file's layout and rules: vram-plan-schema.ts.

/** The schema module, once loaded (loadVramPlanSchema): zod is imported only for vram-plan files. */
let schema: typeof import("./vram-plan-schema.js") | null = null;

/**
 * Loads the schema (and zod). readDeploymentFile is synchronous; a vram-plan file read before this
 * throws VramPlanSchemaNotLoaded, and readDeploymentFileWithSchemas (deployments.ts) loads it and reads again.
 */
export async function loadVramPlanSchema(): Promise<void> {
  schema ??= await import("./vram-plan-schema.js");
}

/**
 * A vram-plan deployments file was met before its schema was loaded (see loadVramPlanSchema): caught by
 * readDeploymentFileWithSchemas; anywhere else it is a bug of the caller (exit 3).
 */
export class VramPlanSchemaNotLoaded extends InternalError {}



/** "32k" → 32000, "32K" → 32768, "8192" → 8192 (vLLM's human-readable integers); null if not one. */
export function parseTokenCount(text: string): number | null {
  // The same reading as the command line's (vLLM's human_readable_int: 1.5k = 1500, but 1.5K is refused).
  const tokens = parseTokens(text);
  return tokens !== null && tokens > 0 && tokens <= MAX_TOKENS ? tokens : null;
}

function flagValue(value: FlagValue): string | true {
  if (value === true) return true;
  if (value === false) return "false";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(String).join(" ");
  return JSON.stringify(value);
}

function flagsToArgv(flags: Record<string, string | true>): string[] {
  const argv: string[] = [];
  for (const [key, value] of Object.entries(flags)) {
    if (value === true) argv.push(`--${key}`);
    else if (value === "false" && isVllmSwitch(key)) argv.push(`--no-${key}`);
    else argv.push(`--${key}`, ...(value.includes(" ") && !/^[[{"]/.test(value) ? value.split(" ") : [value]));
  }
  return argv;
}

export function readVramPlan(ctx: Ctx, yaml: YamlFile): Deployment[] {
  const out: Deployment[] = [];
  for (const doc of yaml.docs) {
    const js = yamlValue(doc) as Json;
    if (js === null || js === undefined) continue;
    if (schema === null) throw new VramPlanSchemaNotLoaded("vram-plan deployments file read before loadVramPlanSchema()");
    const res = schema.VramPlanFileSchema.safeParse(js);
    if (!res.success) {
      const issue = res.error.issues[0];
      const path = (issue?.path ?? []).filter((p): p is string | number => typeof p !== "symbol");
      // An unknown key is reported at the key itself.
      const keys = issue?.code === "unrecognized_keys" ? issue.keys : [];
      const at = keys[0] !== undefined ? [...path, keys[0]] : path;
      const where = formatPath(path);
      ctx.fail(lineAt(yaml, doc, at), `${where ? where + ": " : ""}${issue?.message ?? "invalid vram-plan deployments file"}`);
    }
    const names = new Map<string, number>();
    res.data.deployments.forEach((spec, index) => {
      const line = lineAt(yaml, doc, ["deployments", index]);
      const prev = names.get(spec.name);
      if (prev !== undefined) ctx.fail(lineAt(yaml, doc, ["deployments", index, "name"]), `deployments[${index}].name: "${spec.name}" is already used on line ${prev}`);
      names.set(spec.name, line);

      const args: Record<string, string | true> = {};
      for (const [rawKey, value] of Object.entries(spec.flags ?? {})) {
        const key = normalizeFlagName(rawKey.replace(/^--?/, ""));
        if (key === "model") ctx.fail(lineAt(yaml, doc, ["deployments", index, "flags", rawKey]), `deployments[${index}].flags.${rawKey}: put the model in "model:", not in flags`);
        args[key] = flagValue(value);
      }
      const constraints: DeploymentConstraints = {};
      const req = spec.require;
      if (req?.concurrency !== undefined) {
        if (typeof req.concurrency === "number") constraints.requireConcurrency = { n: req.concurrency };
        else {
          const [nStr, lenStr] = req.concurrency.split("@");
          const count = Number((nStr ?? "").trim());
          const len = lenStr === undefined ? undefined : parseTokenCount(lenStr);
          if (!Number.isInteger(count) || count <= 0 || count > MAX_TOKENS || len === null) {
            ctx.fail(lineAt(yaml, doc, ["deployments", index, "require", "concurrency"]), `deployments[${index}].require.concurrency: expected N or "N@LEN" (e.g. "32@8k")`);
          }
          constraints.requireConcurrency = len === undefined ? { n: count } : { n: count, len };
        }
      }
      if (req?.context !== undefined) {
        const context = typeof req.context === "number" ? req.context : parseTokenCount(req.context);
        if (context === null) ctx.fail(lineAt(yaml, doc, ["deployments", index, "require", "context"]), `deployments[${index}].require.context: expected a token count such as 32768 or "32k"`);
        constraints.requireContext = context;
      }
      if (req?.maxUtilization !== undefined) constraints.maxUtilization = req.maxUtilization;
      if (req?.headroom !== undefined) constraints.headroom = String(req.headroom);
      out.push({
        file: ctx.file,
        line,
        name: spec.name,
        model: spec.model,
        args,
        argv: flagsToArgv(args),
        gpuCount: spec.gpus ?? null,
        gpuType: spec.gpu,
        constraints,
        source: "vram-plan",
        notes: [],
      });
    });
  }
  return out;
}

function formatPath(path: readonly (string | number)[]): string {
  let text = "";
  for (const p of path) text += typeof p === "number" ? `[${p}]` : text === "" ? p : `.${p}`;
  return text;
}
