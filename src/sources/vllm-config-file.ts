// `vllm serve --config FILE` on vram-plan's command line (or in a pasted line): the YAML's keys are
// more flags, inserted before the command line's own so those win (vllm/utils/argparse_utils.py
// FlexibleArgumentParser._pull_args_from_config / load_config_file).
import { InputError } from "../errors.js";
import { MAX_DEPLOYMENT_FILE_BYTES } from "../limits.js";
import { readTextFile } from "./read-file.js";
import { parseYamlDocuments, yamlLimitProblem, yamlTooLarge, yamlTooLargeMessage, yamlValue } from "./deployments/yaml.js";
import { vllmConfigToArgv } from "./deployments/vllm-config.js";

/** The argv a vLLM config file stands for, as vLLM builds it; InputError naming the file when unreadable. */
export function vllmConfigFileArgv(path: string): string[] {
  if (!/\.ya?ml$/i.test(path)) throw new InputError("--config", `--config ${path}: vLLM reads only .yaml / .yml config files`);
  const text = readTextFile(path, MAX_DEPLOYMENT_FILE_BYTES, { label: `--config ${path}` }) ?? "";
  if (yamlTooLarge(text)) throw new InputError("--config", `--config ${path}: ${yamlTooLargeMessage(text)}`);
  const docs = parseYamlDocuments(text);
  const doc = docs[0];
  const problem = doc?.errors[0]?.message.split("\n")[0] ?? yamlLimitProblem(docs)?.message;
  if (problem) throw new InputError("--config", `--config ${path}: ${problem}`);
  const value = doc ? yamlValue(doc) : null;
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new InputError("--config", `--config ${path}: expected a mapping of vLLM flags`);
  return vllmConfigToArgv(value as Record<string, unknown>);
}
