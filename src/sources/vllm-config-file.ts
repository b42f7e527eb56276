// `vllm serve --config FILE` on vram-plan's command line (or in a pasted line): the YAML's keys are
// more flags, inserted before the command line's own so those win (vllm/utils/argparse_utils.py
// FlexibleArgumentParser._pull_args_from_config / load_config_file).
import { InputError } from "../errors.js";
import { MAX_DEPLOYMENT_FILE_BYTES } from "../limits.js";
import { readTextFile } from "./read-file.js";
import { parseYaml, yamlValue } from "./deployments/yaml.js";
import { Ctx } from "./deployments/common.js";
import { vllmConfigToArgv } from "./deployments/vllm-config.js";

/** The argv a vLLM config file stands for, as vLLM builds it; InputError naming the file when unreadable. */
export function vllmConfigFileArgv(path: string): string[] {
  if (!/\.ya?ml$/i.test(path)) throw new InputError("--config", `--config ${path}: vLLM reads only .yaml / .yml config files`);
  const text = readTextFile(path, MAX_DEPLOYMENT_FILE_BYTES, { label: `--config ${path}` }) ?? "";
  // The deployment readers' YAML rule (size limit, 'file:line: YAML syntax error: …', alias and nesting
  // limits), not the parser's own 'at line 2, column 1:' cut before its code frame.
  const doc = parseYaml(new Ctx(`--config ${path}`), text).docs[0];
  const value = doc ? yamlValue(doc) : null;
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new InputError("--config", `--config ${path}: expected a mapping of vLLM flags`);
  return vllmConfigToArgv(value as Record<string, unknown>);
}
