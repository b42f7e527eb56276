// Builds a Llama-3.1-70B-shaped checkpoint directory of N safetensors shards for the speed benchmark:
// real headers, sparse data (truncate), so it costs no disk and the reader must not touch the data.
import { copyFileSync, openSync, writeSync, closeSync, ftruncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");

export function buildShardDir(dir: string, shards: number): void {
  copyFileSync(join(root, "src/data/models/meta-llama__Llama-3.1-70B-Instruct.json"), join(dir, "config.json"));
  const H = 8192, I = 28672, V = 128256, kv = 1024;
  const tensors: { name: string; shape: number[] }[] = [{ name: "model.embed_tokens.weight", shape: [V, H] }];
  for (let l = 0; l < 80; l++) {
    const p = `model.layers.${l}`;
    tensors.push(
      { name: `${p}.self_attn.q_proj.weight`, shape: [H, H] },
      { name: `${p}.self_attn.k_proj.weight`, shape: [kv, H] },
      { name: `${p}.self_attn.v_proj.weight`, shape: [kv, H] },
      { name: `${p}.self_attn.o_proj.weight`, shape: [H, H] },
      { name: `${p}.mlp.gate_proj.weight`, shape: [I, H] },
      { name: `${p}.mlp.up_proj.weight`, shape: [I, H] },
      { name: `${p}.mlp.down_proj.weight`, shape: [H, I] },
      { name: `${p}.input_layernorm.weight`, shape: [H] },
      { name: `${p}.post_attention_layernorm.weight`, shape: [H] },
    );
  }
  tensors.push({ name: "model.norm.weight", shape: [H] }, { name: "lm_head.weight", shape: [V, H] });
  const weightMap: Record<string, string> = {};
  let total = 0;
  const per = Math.ceil(tensors.length / shards);
  for (let s = 0; s < shards; s++) {
    const file = `model-${String(s + 1).padStart(5, "0")}-of-${String(shards).padStart(5, "0")}.safetensors`;
    const header: Record<string, unknown> = { __metadata__: { format: "pt" } };
    let off = 0;
    for (const t of tensors.slice(s * per, (s + 1) * per)) {
      const bytes = t.shape.reduce((a, b) => a * b, 1) * 2;
      header[t.name] = { dtype: "BF16", shape: t.shape, data_offsets: [off, off + bytes] };
      off += bytes;
      weightMap[t.name] = file;
    }
    total += off;
    const json = Buffer.from(JSON.stringify(header));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    const fd = openSync(join(dir, file), "w");
    writeSync(fd, len);
    writeSync(fd, json);
    ftruncateSync(fd, 8 + json.length + off);
    closeSync(fd);
  }
  writeFileSync(join(dir, "model.safetensors.index.json"), JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }));
}
