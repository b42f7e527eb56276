// What a model name as written (--model, or the model of a deployment file) is: a local path or a
// Hugging Face repo id. One rule, used by sources/resolve-model.ts (--model) and commands/check.ts
// (a deployment's model, before it is looked up), so the two cannot disagree.

/**
 * A Hugging Face repo id: "namespace/name", one slash. huggingface_hub's validate_repo_id
 * (huggingface_hub/utils/_validators.py) refuses more than one ("Repo id must be in the form
 * 'repo_name' or 'namespace/repo_name'"), which is what vLLM hits for a --model that is neither.
 */
export function looksLikeHubId(name: string): boolean {
  return /^[\w.-]+\/[\w.-]+$/.test(name);
}

/**
 * Whether `name` is written as a local path, whether or not it exists here: it starts with ".", "/"
 * or "~", names a .json file, or has more than one "/" (no Hub id has: looksLikeHubId). A bare word
 * or "org/name" is a path only when it exists on this machine (the caller checks).
 */
export function looksLikeModelPath(name: string): boolean {
  return /^[./~]/.test(name) || name.endsWith(".json") || name.split("/").length > 2;
}
