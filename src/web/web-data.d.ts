// The virtual module scripts/build-web.mjs resolves to the embedded data (src/web/data.ts WebData).
declare module "vram-plan-web-data" {
  const data: unknown;
  export default data;
}
