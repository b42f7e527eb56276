// The public library API: the pure core and its types.
export * from "./core/types.js";
export { planDeployment, type PlanOptions } from "./core/plan.js";
export { planWithLevers, whatIfsFor, type LeverOptions } from "./core/levers.js";
export { modelArchFromConfig, type ConfigFiles, type Json } from "./core/architecture.js";
export { ConfigError, ResizeError } from "./core/errors.js";
export { kvBytesPerTokenPerLayer, kvCachePlan, kvLayout } from "./core/kv-cache.js";
export { weightsPerRank, paramCount } from "./core/weights.js";
export { imageTokens, videoTokens, smartResize, encoderProfile, maxTokensPerItem } from "./core/vision.js";
export { rulesFor, NEWEST_MODELED } from "./core/vllm-versions.js";
/** @deprecated the old spelling of NEWEST_MODELED, kept for callers written before the US-spelling rename. */
export { NEWEST_MODELED as NEWEST_MODELLED } from "./core/vllm-versions.js";
export { exitCodeFor } from "./core/exit.js";
