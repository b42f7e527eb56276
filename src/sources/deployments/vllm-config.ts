// vLLM's own --config YAML file: a flat mapping of flags, turned into argv as vLLM does.
import { VllmArgError, parseVllmArgs } from "../vllm-argv.js";
import { baseName, rec, type Ctx, type Deployment, type Json } from "./common.js";
import { lineAt, scalarText, walk, type YamlFile, yamlValue } from "./yaml.js";

/** vLLM's own conversion of a config file to argv (FlexibleArgumentParser.load_config_file). */
export function vllmConfigToArgv(config: Record<string, unknown>): string[] {
  const argv: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (typeof value === "boolean") {
      if (value) argv.push(`--${key}`);
    } else if (Array.isArray(value)) {
      if (value.length > 0) argv.push(`--${key}`, ...value.map((v) => (typeof v === "object" && v !== null ? JSON.stringify(v) : String(v))));
    } else if (typeof value === "object" && value !== null) {
      argv.push(`--${key}`, JSON.stringify(value));
    } else if (value !== null && value !== undefined) {
      argv.push(`--${key}`, String(value));
    }
  }
  return argv;
}

export function readVllmConfig(ctx: Ctx, yaml: YamlFile): Deployment[] {
  const doc = yaml.docs[0];
  if (!doc) return [];
  const js = rec(yamlValue(doc) as Json) ?? {};
  // Keep numbers as written (0.90 stays "0.90") by reading scalars from the AST.
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(js)) {
    const { node } = walk(doc, yaml.lc, [key]);
    config[key] = typeof value === "number" ? (scalarText(node) ?? String(value)) : value;
  }
  const argv = vllmConfigToArgv(config);
  let args: Record<string, string | true>;
  try {
    args = parseVllmArgs(argv);
  } catch (err) {
    if (err instanceof VllmArgError) ctx.fail(lineAt(yaml, doc, [err.subject.replace(/^--/, "")]), err.message);
    throw err;
  }
  const model = typeof args.model === "string" ? args.model : null;
  delete args.model;
  const notes: string[] = [];
  for (const [key, value] of Object.entries(js)) {
    if (value === null) notes.push(`${key}: null is ignored`);
    if (value === false) notes.push(`${key}: false is ignored (vLLM drops false booleans from config files)`);
  }
  const line = "model" in js ? lineAt(yaml, doc, ["model"]) : lineAt(yaml, doc, []);
  return [
    {
      file: ctx.file,
      line,
      name: baseName(ctx.file),
      model,
      args,
      argv,
      gpuCount: null,
      gpuType: null,
      constraints: {},
      source: "vllm-config",
      notes,
    },
  ];
}
