// `.vram-plan.yaml`: a repository's settings for `vram-plan check`, found from the current directory
// upwards (the nearest one wins), validated with zod (unknown keys are errors), so a CI step is just
// `npx vram-plan check`. The command line wins over the file, key by key.
import { existsSync, readdirSync, statSync } from "node:fs";
import { readTextFile } from "./read-file.js";
import { parseYaml, yamlValue } from "./deployments/yaml.js";
import { Ctx } from "./deployments/common.js";
import { MAX_DEPLOYMENT_FILE_BYTES } from "../limits.js";
import { dirname, join, relative, resolve, sep } from "node:path";
import { InputError } from "../errors.js";

export const REPO_CONFIG_NAME = ".vram-plan.yaml";

export type { RepoConfig } from "./repo-config-schema.js";
import type { RepoConfig } from "./repo-config-schema.js";


/** The nearest .vram-plan.yaml from `cwd` (the working directory) upwards, or null. */
export function findRepoConfig(cwd: string = process.cwd()): string | null {
  let dir = resolve(cwd);
  for (;;) {
    const candidate = join(dir, REPO_CONFIG_NAME);
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/** Reads and validates a repository config; InputError naming the file, line and key. */
export async function readRepoConfig(path: string): Promise<RepoConfig> {
  // A regular file up to the deployment-file cap, read by the deployment readers' YAML rule
  // (deployments/yaml.ts parseYaml: size, 'file:line: YAML syntax error', alias and nesting limits).
  const raw = readTextFile(path, MAX_DEPLOYMENT_FILE_BYTES) as string;
  const { docs, lc } = parseYaml(new Ctx(path), raw);
  const [doc, second] = docs;
  if (second) throw new InputError(path, `${path}:${lc.linePos(second.range[0]).line}: a second YAML document (---); the settings are one document`);
  const js = (doc ? (yamlValue(doc) as unknown) : null) ?? {};
  const { RepoConfigSchema } = await import("./repo-config-schema.js");
  const res = RepoConfigSchema.safeParse(js);
  if (!res.success) {
    const issue = res.error.issues[0];
    const keys = issue?.code === "unrecognized_keys" ? issue.keys : [];
    const at = [...(issue?.path ?? []), ...keys.slice(0, 1)].filter((p): p is string | number => typeof p !== "symbol");
    const node = doc?.getIn(at, true) as { range?: [number, number, number] } | undefined;
    const line = node?.range ? lc.linePos(node.range[0]).line : null;
    const pairLine = line ?? (at.length ? lineOfKey(raw, String(at[at.length - 1])) : null);
    throw new InputError(path, `${path}${pairLine ? `:${pairLine}` : ""}: ${at.join(".")}${at.length ? ": " : ""}${issue?.message ?? "invalid"}`);
  }
  return res.data;
}

function lineOfKey(raw: string, key: string): number | null {
  const lineIndex = raw.split("\n").findIndex((l) => new RegExp(`^\\s*${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*:`).test(l));
  return lineIndex < 0 ? null : lineIndex + 1;
}

/** Expands `files:` patterns (*, ?, ** over directories) relative to `base`, sorted, without duplicates. */
export function expandFilePatterns(patterns: readonly string[], base: string): string[] {
  const out = new Set<string>();
  for (const pat of patterns) {
    const segs = pat.split("/").filter((s) => s !== "" && s !== ".");
    if (!/[*?]/.test(pat)) {
      out.add(relative(process.cwd(), resolve(base, pat)) || pat);
      continue;
    }
    const hits: string[] = [];
    walkGlob(resolve(base, pat.startsWith("/") ? "/" : "."), segs, hits);
    for (const h of hits.sort()) out.add(relative(process.cwd(), h).split(sep).join("/"));
  }
  return [...out];
}

function segRegex(seg: string): RegExp {
  return new RegExp(`^${seg.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]")}$`);
}

function walkGlob(dir: string, segs: readonly string[], hits: string[]): void {
  const [head, ...rest] = segs;
  if (head === undefined) return;
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => !n.startsWith(".") || head.startsWith("."));
  } catch {
    return;
  }
  if (head === "**") {
    walkGlob(dir, rest, hits);
    for (const n of names) if (isDir(join(dir, n))) walkGlob(join(dir, n), segs, hits);
    return;
  }
  const re = segRegex(head);
  for (const name of names) {
    if (!re.test(name)) continue;
    const full = join(dir, name);
    if (rest.length === 0) {
      if (!isDir(full)) hits.push(full);
    } else if (isDir(full)) walkGlob(full, rest, hits);
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Files a deployment reader can understand, by name: YAML/JSON (compose, Kubernetes, vLLM --config,
 * vram-plan files), shell scripts, Dockerfiles/Containerfiles, Makefiles and Markdown (READMEs with
 * `vllm serve` lines). A directory given to `check` is searched for these.
 */
const DEPLOYMENT_FILE_NAME = /(\.(ya?ml|json|sh|bash|zsh|md|mk)$)|(^|[./-])(Dockerfile|Containerfile|Makefile)([./-]|$)/i;
/** Folders never searched: version control, dependencies, build output. */
const SKIPPED_DIRS = new Set(["node_modules", "dist", "build", "vendor", "__pycache__"]);
/** Bounds on a directory walk (a repository's deploy folders hold tens of files). */
const MAX_DIR_DEPTH = 8;
const MAX_DIR_FILES = 1000;

/**
 * Command-line paths with each directory replaced by the deployment files under it (sorted, hidden
 * folders and dependency folders skipped, at most MAX_DIR_FILES); other paths are kept as given.
 */
export function expandDirectories(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const candidate of paths) {
    if (candidate === "-" || !isDir(candidate)) {
      out.push(candidate);
      continue;
    }
    const found: string[] = [];
    const walk = (dir: string, depth: number): void => {
      if (depth > MAX_DIR_DEPTH || found.length >= MAX_DIR_FILES) return;
      let names: string[];
      try {
        names = readdirSync(dir).sort();
      } catch {
        return;
      }
      for (const name of names) {
        if (name.startsWith(".") || found.length >= MAX_DIR_FILES) continue;
        const full = join(dir, name);
        if (isDir(full)) {
          if (!SKIPPED_DIRS.has(name)) walk(full, depth + 1);
        } else if (DEPLOYMENT_FILE_NAME.test(name) && name !== "SOURCES.md") found.push(full);
      }
    };
    walk(candidate, 0);
    if (found.length === 0) throw new InputError(candidate, `${candidate}: a directory with no deployment files (YAML, JSON, shell, Dockerfile, Makefile or Markdown) in it`);
    out.push(...found);
  }
  return out;
}
