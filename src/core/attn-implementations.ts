/** transformers' attn_implementation values the offline model covers (a tiny module: the CLI's option list imports it at start-up). */
export type AttnImplementation = "sdpa" | "eager" | "flash_attention_2";
export const ATTN_IMPLEMENTATIONS: readonly AttnImplementation[] = ["sdpa", "eager", "flash_attention_2"];
