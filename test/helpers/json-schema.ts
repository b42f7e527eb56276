// A JSON Schema (draft 2020-12) validator for the keywords schema/plan.schema.json uses, so a test can
// check `plan --json` against the document `vram-plan schema` prints, as a user's own validator would,
// not only against the zod schema it is generated from. A keyword it does not know is an error, so a
// schema that grows a new keyword cannot pass here unchecked.

type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set(["$schema", "title", "description"]);
const KNOWN = new Set([
  ...ANNOTATIONS,
  "type", "properties", "required", "additionalProperties", "items", "enum", "anyOf",
  "minimum", "maximum", "exclusiveMinimum", "pattern", "propertyNames",
]);

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  const t = typeOf(value);
  return t === type || (type === "number" && t === "integer");
}

/** Where `value` breaks `schema`: "path: what", one per fault; empty when it validates. */
export function schemaFaults(schema: Schema, value: unknown, path = "$"): string[] {
  const faults: string[] = [];
  for (const key of Object.keys(schema)) if (!KNOWN.has(key)) faults.push(`${path}: schema keyword '${key}' is not checked by this validator`);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => hasType(value, t))) return [...faults, `${path}: ${typeOf(value)} is not ${types.join(" or ")}`];
  }
  if (schema.enum !== undefined && !(schema.enum as unknown[]).some((e) => e === value)) faults.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) faults.push(`${path}: ${value} < minimum ${schema.minimum}`);
    if (typeof schema.maximum === "number" && value > schema.maximum) faults.push(`${path}: ${value} > maximum ${schema.maximum}`);
    if (typeof schema.exclusiveMinimum === "number" && value <= schema.exclusiveMinimum) faults.push(`${path}: ${value} <= exclusiveMinimum ${schema.exclusiveMinimum}`);
  }
  if (typeof value === "string" && typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value)) faults.push(`${path}: '${value}' does not match ${schema.pattern}`);
  if (schema.anyOf !== undefined) {
    const branches = schema.anyOf as Schema[];
    if (!branches.some((branch) => schemaFaults(branch, value, path).length === 0)) faults.push(`${path}: matches none of anyOf's ${branches.length} schemas`);
  }
  if (Array.isArray(value) && schema.items !== undefined) value.forEach((item, i) => faults.push(...schemaFaults(schema.items as Schema, item, `${path}[${i}]`)));
  if (typeOf(value) === "object") {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) if (!(key in obj)) faults.push(`${path}: required '${key}' is missing`);
    for (const [key, v] of Object.entries(obj)) {
      if (schema.propertyNames !== undefined) faults.push(...schemaFaults(schema.propertyNames as Schema, key, `${path} key '${key}'`));
      if (key in props) faults.push(...schemaFaults(props[key]!, v, `${path}.${key}`));
      else if (schema.additionalProperties === false) faults.push(`${path}: '${key}' is not allowed (additionalProperties false)`);
      else if (typeof schema.additionalProperties === "object" && schema.additionalProperties !== null) faults.push(...schemaFaults(schema.additionalProperties as Schema, v, `${path}.${key}`));
    }
  }
  return faults;
}
