// What a model name as written (--model, or the model of a deployment file) is: a local path or a
// Hugging Face repo id. One rule, used by sources/resolve-model.ts (--model) and commands/check.ts
// (a deployment's model, before it is looked up), so the two cannot disagree.
import { existsSync } from "node:fs";

/**
 * A Hugging Face repo id as huggingface_hub's validate_repo_id accepts it (src/huggingface_hub/
 * utils/_validators.py, REPO_ID_REGEX and the checks after it), the check transformers and so vLLM
 * make before asking the Hub: "name" or "namespace/name" (a second "/" is refused: "Repo id must be
 * in the form 'repo_name' or 'namespace/repo_name'"), letters, digits, "-", "_" and "." with each part
 * starting and ending on a letter, digit or "_", a name of at most 96 characters, no "--" or ".."
 * (which also keeps it one folder name in the cache's models--org--name), not ending in ".git".
 */
export function isHubRepoId(name: string): boolean {
  return /^(?:\w(?:[\w.-]*\w)?\/)?(?=[\w.-]{1,96}$)\w(?:[\w.-]*\w)?$/.test(name) && !name.includes("--") && !name.includes("..") && !name.endsWith(".git");
}

/** "namespace/name": a repo id with its owner, the form --model takes for the Hub or the HF cache. */
export function looksLikeHubId(name: string): boolean {
  return name.includes("/") && isHubRepoId(name);
}

/**
 * Whether `name` is written as a local path, whether or not it exists here: it starts with ".", "/"
 * or "~", names a .json file, or has more than one "/" (no Hub id has: looksLikeHubId). A bare word
 * or "org/name" is a path only when it exists on this machine (the caller checks).
 */
export function looksLikeModelPath(name: string): boolean {
  return /^[./~]/.test(name) || name.endsWith(".json") || name.split("/").length > 2;
}

/**
 * The repo id of a Hugging Face page address (https://huggingface.co/Qwen/Qwen3-8B, hf.co/Qwen/Qwen3-8B,
 * with /tree/main or any other page after it), or null: such an address is no model name to vLLM or
 * transformers, but what was meant is plain, and an error can say it.
 */
export function hubIdOfPageUrl(name: string): string | null {
  const match = /^(?:https?:\/\/)?(?:www\.)?(?:huggingface\.co|hf\.co)\/([^/?#]+\/[^/?#]+)(?:[/?#].*)?$/.exec(name);
  return match && looksLikeHubId(match[1]!) ? match[1]! : null;
}

/** Whether a model path (a directory or a config.json) is on this machine. */
export function pathExists(path: string): boolean {
  return existsSync(path);
}

/** --model's rule: a name written as a path (looksLikeModelPath), or one that exists here. */
export function isLocalModelPath(name: string): boolean {
  return looksLikeModelPath(name) || existsSync(name);
}
