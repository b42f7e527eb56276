// Catalog entries added for the models real deployment files name (fixtures/deployments/real), the
// renamed-repository table (src/data/models/renames.json) and the offline base-config stand-in.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { baseStandIn, catalog, findInCatalog, renamedIds } from "../src/sources/catalog.js";
import { resolveModel } from "../src/sources/resolve-model.js";
import { runCli } from "./helpers/cli.js";
import { logicalCheckText } from "./helpers/check-text.js";

interface PlanJson {
  model: { id: string; params: number };
  diagnostics: { code: string }[];
}

async function planJson(id: string): Promise<{ code: number; json: PlanJson }> {
  const r = await runCli(["plan", "--model", id, "--gpu", "h100", "--json", "--offline"]);
  return { code: r.code, json: JSON.parse(r.out) as PlanJson };
}

describe("new catalog configs plan", () => {
  // Parameter counts are the Hugging Face model pages' "Model size" figures for these checkpoints; Qwen2.5-14B-Instruct's
  // is its model.safetensors.index.json total_size (29,540,067,328 B) / 2 B per bf16 parameter.
  it.each<[string, number]>([
    ["meta-llama/Llama-3.3-70B-Instruct", 70_553_706_496],
    ["Qwen/Qwen2.5-14B-Instruct", 14_770_033_664],
    ["Qwen/Qwen3-VL-2B-Instruct", 2_127_532_032],
    ["Qwen/Qwen3-VL-4B-Instruct", 4_437_815_808],
    ["Qwen/Qwen3-VL-30B-A3B-Instruct", 31_070_741_744],
    ["google/gemma-3-27b-it", 27_432_406_640],
    ["Qwen/Qwen3-Embedding-0.6B", 595_776_512],
    // keras-hub's phi3_mini_4k_instruct_en preset: "params": 3821079552.
    ["microsoft/Phi-3-mini-4k-instruct", 3_821_079_552],
  ])("%s: a verdict (exit 0 or 1), %d parameters", async (id, params) => {
    const { code, json } = await planJson(id);
    expect([0, 1]).toContain(code);
    expect(json.model.id).toBe(id);
    expect(json.model.params).toBe(params);
  });

  it("llava-hf/llava-1.5-7b-hf: the text_config's LlamaConfig defaults are filled in; the CLIP tower is NOT_EXACT", async () => {
    const { code, json } = await planJson("llava-hf/llava-1.5-7b-hf");
    expect(code).toBe(0);
    // Llama-2-7B shape with vocab 32,064: 2 × 32,064 × 4,096 (embedding + lm_head) + 32 × (4 × 4,096² + 3 × 4,096 × 11,008)
    // + (2 × 32 + 1) × 4,096 norms = 262,668,288 + 6,476,005,376 + 266,240 = 6,738,939,904. The checkpoint's
    // 14,126,854,144 B (fp16) hold 324,487,168 more parameters: the CLIP tower and projector, not counted.
    expect(json.model.params).toBe(6_738_939_904);
    expect(json.diagnostics.map((d) => d.code)).toContain("NOT_EXACT");
  });

  it("every catalog file has a SOURCES.md row", () => {
    const sources = readFileSync(new URL("../src/data/models/SOURCES.md", import.meta.url), "utf8");
    for (const e of catalog()) expect(sources).toContain(`| ${e.file} | ${e.hfId} |`);
    expect(sources).toContain("| llava-hf__llava-1.5-7b-hf.preprocessor.json | llava-hf/llava-1.5-7b-hf |");
  });
});

describe("renamed Hugging Face repositories", () => {
  const table = JSON.parse(readFileSync(new URL("../src/data/models/renames.json", import.meta.url), "utf8")) as { renames: { from: string; to: string; source: string }[] };

  it("every rename names its source", () => {
    expect(table.renames.length).toBeGreaterThan(0);
    for (const r of table.renames) {
      expect(r.source).toMatch(/^https:\/\/github\.com\//);
      expect(r.from).not.toBe(r.to);
    }
  });

  it("the old id finds the entry cataloged under the new one, and the new id the entry under the old", () => {
    expect(findInCatalog("meta-llama/Meta-Llama-3.1-8B-Instruct")?.hfId).toBe("meta-llama/Llama-3.1-8B-Instruct");
    expect(findInCatalog("META-LLAMA/meta-llama-3.1-70b-instruct")?.hfId).toBe("meta-llama/Llama-3.1-70B-Instruct");
    expect(findInCatalog("meta-llama/Llama-3.1-8B")?.hfId).toBe("meta-llama/Meta-Llama-3.1-8B");
    expect(renamedIds("meta-llama/Llama-3.1-405B-Instruct")).toEqual(["meta-llama/Meta-Llama-3.1-405B-Instruct"]);
    // Neither id of the 405B Instruct repository is cataloged.
    expect(findInCatalog("meta-llama/Meta-Llama-3.1-405B-Instruct")).toBeNull();
    expect(renamedIds("Qwen/Qwen2.5-7B")).toEqual([]);
  });

  it("the plan names the cataloged entry and warns of nothing: both ids are one repository", async () => {
    const result = await runCli(["plan", "--model", "meta-llama/Meta-Llama-3.1-8B-Instruct", "--gpu", "h100", "--offline"]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^meta-llama\/Llama-3\.1-8B-Instruct on 1 × NVIDIA H100/);
    expect(result.err).toBe("");
  });
});

describe("an -Instruct release planned with its cataloged base config (offline only, with a warning)", () => {
  it("finds the base under either id of a renamed repository; nothing for ids that are not <org>/<name>-Instruct", () => {
    expect(baseStandIn("Qwen/Qwen2.5-72B-Instruct")?.hfId).toBe("Qwen/Qwen2.5-72B");
    expect(baseStandIn("meta-llama/Meta-Llama-3.1-405B-Instruct")?.hfId).toBe("meta-llama/Meta-Llama-3.1-405B");
    expect(baseStandIn("meta-llama/Llama-3.1-405B-Instruct")?.hfId).toBe("meta-llama/Meta-Llama-3.1-405B");
    expect(baseStandIn("google/gemma-2b-it")).toBeNull();
    expect(baseStandIn("qwen2.5-72b-instruct")).toBeNull();
    expect(baseStandIn("Qwen/Qwen3-VL-235B-A22B-Instruct")).toBeNull();
  });

  it("offline: planned as the base, and the warning names it and its max_position_embeddings", async () => {
    const m = await resolveModel("Qwen/Qwen2.5-72B-Instruct", { offline: true, env: {} });
    expect(m.arch.id).toBe("Qwen/Qwen2.5-72B");
    expect(m.warnings).toEqual([
      "Qwen/Qwen2.5-72B-Instruct is not in the catalog and the Hub is off (offline): planned with the cataloged base config Qwen/Qwen2.5-72B (same layers and weight shapes; its max_position_embeddings is 131072, which the -Instruct release may not share: pass --max-model-len to pin the context)",
    ]);
  });

  it("online: the Hub is asked for the real -Instruct config, not the base (an unreachable endpoint fails)", async () => {
    // A loopback port nothing listens on: the request is refused at once, no network is reached.
    const env = { HF_ENDPOINT: "http://127.0.0.1:9", HF_HOME: "/nonexistent-vram-plan-test" };
    await expect(resolveModel("Qwen/Qwen2.5-72B-Instruct", { offline: false, env })).rejects.toThrow(/could not reach/);
  });
});

describe("vram-plan check over fixtures/deployments/real resolves the models the catalog now holds", () => {
  const R = "fixtures/deployments/real/";
  it.each<[string, string]>([
    ["multiagentsdebate-nohup.sh", "— Qwen/Qwen2.5-14B-Instruct on 4× h100-sxm"],
    ["medrag-vlm-server.sh", "— Qwen/Qwen3-VL-4B-Instruct on 1× h100-sxm"],
    ["llm-vlm-memo-docker-run-llava.sh", "— llava-hf/llava-1.5-7b-hf on 1× h100-sxm"],
    ["koyeb-example-vllm.Dockerfile", "— meta-llama/Meta-Llama-3.1-8B-Instruct on 1× h100-sxm"],
    ["gke-gemma-3-27b-it.yaml", "— google/gemma-3-27b-it on 1× a100-80g"],
    ["gpu-bench-phi3-mini.sh", "— microsoft/Phi-3-mini-4k-instruct on 1× h100-sxm"],
  ])("%s", async (file, text) => {
    const gpu = file.startsWith("gke-") ? [] : ["--gpu", "h100"];
    const result = await runCli(["check", R + file, ...gpu, "--offline", "--no-config"]);
    expect(logicalCheckText([], result.out)).toContain(text);
    expect(result.out).not.toContain("forbids the Hub");
  });

  it("compose: the embedding service's model is cataloged (its GPU comes from --gpu)", async () => {
    const r = await runCli(["check", `${R}memoria_vllm/docker-compose.yml`, "--gpu", "l4", "--offline", "--no-config", "--set", "MODEL_EMBED_NAME=Qwen/Qwen3-Embedding-0.6B"]);
    expect(logicalCheckText([], r.out)).toMatch(/— Qwen\/Qwen3-Embedding-0\.6B on 1× l4/);
  });

  it("the 405B Instruct deployments are planned with the base config, and the JSON says so", async () => {
    const result = await runCli(["check", `${R}lws-vllm-gpu.yaml`, `${R}gke-lws-llama3-405b.yaml`, "--gpu", "h100", "--offline", "--no-config", "--json"]);
    expect(result.out).not.toContain("forbids the Hub");
    const notes = (JSON.parse(result.out) as { deployments: { notes: string[] }[] }).deployments.map((d) => d.notes.find((n) => n.includes("base config")));
    expect(notes).toEqual([
      expect.stringContaining("planned with the cataloged base config meta-llama/Meta-Llama-3.1-405B"),
      expect.stringContaining("planned with the cataloged base config meta-llama/Meta-Llama-3.1-405B"),
    ]);
  });
});
