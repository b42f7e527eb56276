// Finds a model in the local Hugging Face hub cache (huggingface_hub's layout:
// <cache>/models--{org}--{name}/{refs/main, snapshots/<rev>/...}).
import { existsSync, readdirSync, statSync } from "node:fs";
import { readTextFile } from "./read-file.js";
import { homedir } from "node:os";
import { join } from "node:path";
import { isHubRepoId } from "./model-name.js";

/** A refs/<name> file holds one commit hash (40 hex digits); a FIFO or a huge file there is refused, not read. */
const REF_FILE_BYTES = 4096;

type Env = Record<string, string | undefined>;

/** huggingface_hub's cache directory: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub. */
export function hfCacheDir(env: Env = process.env): string {
  const nonEmpty = (v: string | undefined): string | undefined => (v !== undefined && v !== "" ? v : undefined);
  const explicit = nonEmpty(env["HF_HUB_CACHE"]) ?? nonEmpty(env["HUGGINGFACE_HUB_CACHE"]);
  if (explicit) return explicit;
  const hfHome = nonEmpty(env["HF_HOME"]);
  if (hfHome) return join(hfHome, "hub");
  const xdg = nonEmpty(env["XDG_CACHE_HOME"]);
  if (xdg) return join(xdg, "huggingface", "hub");
  return join(nonEmpty(env["HOME"]) ?? homedir(), ".cache", "huggingface", "hub");
}


/**
 * The snapshot directory of `hfId` in the local cache, holding a config.json: the revision named by
 * refs/main when that snapshot exists, else the most recently modified snapshot. Null when absent.
 */
export function findInHfCache(hfId: string, env: Env = process.env, revision?: string): string | null {
  // Anything else cannot be a cached repo (and cannot leave the cache folder).
  if (!isHubRepoId(hfId)) return null;
  const repoDir = join(hfCacheDir(env), `models--${hfId.split("/").join("--")}`);
  const snapshots = join(repoDir, "snapshots");
  const usable = (rev: string): string | null => {
    const dir = join(snapshots, rev);
    return rev !== "" && !rev.includes("/") && !rev.includes("\\") && existsSync(join(dir, "config.json")) ? dir : null;
  };

  if (revision !== undefined && revision !== "main") {
    // A branch or tag: refs/<name> holds its commit (huggingface_hub's cache layout); a commit: its snapshot.
    // Never another revision's snapshot in its place.
    if (revision.includes("..") || revision.includes("\\")) return null;
    try {
      const dir = usable((readTextFile(join(repoDir, "refs", ...revision.split("/")), REF_FILE_BYTES) ?? "").trim());
      if (dir) return dir;
    } catch {
      // not a ref name
    }
    return /^[0-9a-f]{7,40}$/.test(revision) ? usable(revision) : null;
  }
  try {
    const main = (readTextFile(join(repoDir, "refs", "main"), REF_FILE_BYTES) ?? "").trim();
    const dir = usable(main);
    if (dir) return dir;
  } catch {
    // no refs/main: fall back to the newest snapshot
  }

  let revs: string[];
  try {
    revs = readdirSync(snapshots);
  } catch {
    return null;
  }
  let best: { dir: string; mtime: number } | null = null;
  for (const rev of revs) {
    const dir = usable(rev);
    if (!dir) continue;
    let mtime: number;
    try {
      mtime = statSync(dir).mtimeMs;
    } catch {
      continue;
    }
    if (best === null || mtime > best.mtime) best = { dir, mtime };
  }
  return best ? best.dir : null;
}

/**
 * The models in the local cache as [organization, name] (huggingface_hub's `models--{org}--{name}`
 * directories), in directory order; none when there is no cache.
 */
export function cachedModels(env: Env = process.env): [string, string][] {
  const out: [string, string][] = [];
  try {
    for (const dir of readdirSync(hfCacheDir(env))) {
      const match = /^models--([^-].*?)--(.+)$/.exec(dir);
      if (match) out.push([match[1]!, match[2]!]);
    }
  } catch {
    // no cache
  }
  return out;
}
