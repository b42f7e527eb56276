// The data the web page embeds (written by scripts/build-web.mjs from the CLI's own readers, fed to
// esbuild as JSON): the catalog's config files exactly as sources/catalog.ts loadCatalogFiles
// gives them to the core, every alias → its model (as findInCatalog resolves it), the GPU profiles.
import type { ConfigFiles } from "../core/architecture.js";
import type { GpuProfile } from "../core/types.js";

export interface WebModel {
  hfId: string;
  short: string;
  files: ConfigFiles;
}

export interface WebGpu extends GpuProfile {
  aliases: string[];
  familyNames?: string[];
  /** The datasheet's memory (a name with a size, "Tesla T4 16GB", is matched against it). */
  datasheetBytes: number;
}

export interface WebData {
  models: WebModel[];
  /** Every spelling of a catalog name (lower case) → the Hugging Face id it resolves to. */
  aliases: Record<string, string>;
  gpus: WebGpu[];
}
