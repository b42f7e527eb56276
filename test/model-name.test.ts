// The one rule for "is this model name a local path or a Hugging Face id" (sources/model-name.ts),
// shared by --model (resolve-model.ts) and check (a deployment's model).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hubIdOfPageUrl, isHubRepoId, looksLikeHubId, looksLikeModelPath } from "../src/sources/model-name.js";
import { catalog } from "../src/sources/catalog.js";
import { readDeployments } from "../src/sources/deployments.js";
import { runCli } from "./helpers/cli.js";

describe("looksLikeModelPath / looksLikeHubId", () => {
  it("reads the models written in the real deployment files of fixtures/deployments/real", () => {
    const dir = "fixtures/deployments/real";
    const byModel = new Map<string, [boolean, boolean]>();
    for (const f of readdirSync(dir)) {
      let ds: ReturnType<typeof readDeployments> = [];
      try {
        ds = readDeployments(join(dir, f), readFileSync(join(dir, f), "utf8"));
      } catch {
        continue; // not a deployment file (README, sources)
      }
      for (const d of ds) if (d.model !== null) byModel.set(d.model, [looksLikeModelPath(d.model), looksLikeHubId(d.model)]);
    }
    // openreinforcedagent-docker-run.sh, password-locking-serve.sh: absolute and $HOME paths.
    expect(byModel.get("/workspace/vllm-models/vllm-9")).toEqual([true, false]);
    expect(byModel.get("$HOME/models/password_locked_model")).toEqual([true, false]);
    expect(byModel.get("meta-llama/Llama-3.1-8B-Instruct")).toEqual([false, true]);
    // vllm-tutorial-launch.sh: a relative "dir/name" is written like a Hub id; only its existence here makes it a path.
    expect(byModel.get("models/Qwen3-8B")).toEqual([false, true]);
    // No real model is both.
    expect([...byModel.values()].filter(([p, h]) => p && h)).toEqual([]);
  });

  it("decides the inputs the two old rules disagreed on", () => {
    // check's rule took "a/b/c" for a path, --model's did not (it said "unknown model"): huggingface_hub's
    // validate_repo_id refuses a second "/", so it can only be a path.
    expect(looksLikeModelPath("models/Qwen/Qwen3-8B")).toBe(true);
    expect(looksLikeHubId("models/Qwen/Qwen3-8B")).toBe(false);
    // --model's rule took a bare "x.json" for a path (a config.json), check's did not.
    expect(looksLikeModelPath("config.json")).toBe(true);
    expect(looksLikeModelPath("~/models/qwen3-8b")).toBe(true);
    expect(looksLikeModelPath(".cache/x")).toBe(true);
    expect(looksLikeModelPath("qwen3-8b")).toBe(false);
  });

  it("one Hub-id rule, huggingface_hub's validate_repo_id (the examples of its docstring), for --model, check, the HF cache and the Hub", () => {
    for (const ok of ["foo", "foo/bar", "123", "Foo-BAR_foo.bar123"]) expect(isHubRepoId(ok)).toBe(true);
    for (const bad of ["datasets/foo/bar", ".repo_id", "foo--bar", "foo.git", "org/x-", "org/a..b", `org/${"x".repeat(97)}`]) expect(isHubRepoId(bad)).toBe(false);
    // Every cataloged model is a Hub repo with its owner.
    expect(catalog().filter((e) => !looksLikeHubId(e.hfId)).map((e) => e.hfId)).toEqual([]);
    expect(looksLikeHubId("qwen3-8b")).toBe(false);
  });

  it("--model with two slashes that is not here: no such file or directory (it was 'unknown model')", async () => {
    const r = await runCli(["--model", "models/Qwen/Qwen3-8B", "--gpu", "h100"]);
    expect(r.code).toBe(2);
    expect(r.err).toBe("vram-plan: --model models/Qwen/Qwen3-8B: no such file or directory\n");
  });
});

describe("a Hugging Face page address given as --model", () => {
  it("is refused with the repo id it names (vLLM takes the id, not the page)", async () => {
    expect(hubIdOfPageUrl("https://huggingface.co/Qwen/Qwen3-8B")).toBe("Qwen/Qwen3-8B");
    expect(hubIdOfPageUrl("hf.co/meta-llama/Llama-3.1-8B-Instruct/tree/main")).toBe("meta-llama/Llama-3.1-8B-Instruct");
    expect(hubIdOfPageUrl("https://huggingface.co/Qwen/Qwen3-8B/blob/main/config.json")).toBe("Qwen/Qwen3-8B");
    expect(hubIdOfPageUrl("https://example.com/Qwen/Qwen3-8B")).toBeNull();
    expect(hubIdOfPageUrl("models/Qwen/Qwen3-8B")).toBeNull();
    const { run } = await import("../src/cli/run.js");
    let err = "";
    const code = await run(["--model", "https://huggingface.co/Qwen/Qwen3-8B", "--gpu", "h100"], { stdout: () => undefined, stderr: (s) => void (err += s), isTTY: false, env: { HF_HUB_OFFLINE: "1" } });
    expect(code).toBe(2);
    expect(err.replace(/\n {2}/g, " ")).toBe("vram-plan: --model https://huggingface.co/Qwen/Qwen3-8B: a Hugging Face page address, not a model name; give its repo id: --model Qwen/Qwen3-8B\n");
  });
});
