import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';

/* Reading docs/openapi.yaml in tests: operations, $refs, documented answers, schema validation. */

// The document is parsed YAML: plain JSON values, walked by key.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface OperationEntry {
  path: string;
  method: string;
  pathItem: Json;
  operation: Json;
}

export function operationsOf(doc: Json): OperationEntry[] {
  const entries: OperationEntry[] = [];
  for (const [path, pathItem] of Object.entries<Json>(doc.paths ?? {})) {
    for (const method of HTTP_METHODS) if (pathItem[method]) entries.push({ path, method, pathItem, operation: pathItem[method] });
  }
  return entries;
}

/** The node a local reference (`#/components/...`) names; throws when it names nothing. */
export function resolveRef(doc: Json, ref: string): Json {
  if (!ref.startsWith('#/')) throw new Error(`${ref} is not a reference inside the document`);
  let node: Json = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(key in node)) throw new Error(`${ref} does not resolve`);
    node = node[key];
  }
  return node;
}

/** Follows a chain of Reference Objects (responses, parameters, examples) to the object itself. */
export function deref(doc: Json, node: Json): Json {
  let current = node;
  for (let hops = 0; current && typeof current === 'object' && typeof current.$ref === 'string'; hops++) {
    if (hops > 20) throw new Error(`reference loop at ${node.$ref}`);
    current = resolveRef(doc, current.$ref);
  }
  return current;
}

/** Every `$ref` in the document, with where it stands. */
export function refsOf(node: Json, at = '#'): Array<{ ref: string; at: string }> {
  if (node === null || typeof node !== 'object') return [];
  const found: Array<{ ref: string; at: string }> = [];
  for (const [key, value] of Object.entries<Json>(node)) {
    if (key === '$ref' && typeof value === 'string') found.push({ ref: value, at });
    else found.push(...refsOf(value, `${at}/${key}`));
  }
  return found;
}

/** Path-level and operation-level parameters, dereferenced (the operation's win on name + in). */
export function parametersOf(doc: Json, entry: OperationEntry): Json[] {
  const byKey = new Map<string, Json>();
  for (const raw of [...(entry.pathItem.parameters ?? []), ...(entry.operation.parameters ?? [])]) {
    const parameter = deref(doc, raw);
    byKey.set(`${parameter.in}:${parameter.name}`, parameter);
  }
  return [...byKey.values()];
}

/** The documented response for a status: the exact code, else its class (`4XX`), else `default`. */
export function documentedResponse(doc: Json, entry: OperationEntry, status: number): Json | undefined {
  const responses = entry.operation.responses ?? {};
  const raw = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
  return raw === undefined ? undefined : deref(doc, raw);
}

/** The `code` values a problem response lists (`allOf: [Problem, {properties: {code: {enum}}}]`). */
export function documentedCodes(doc: Json, response: Json): string[] | undefined {
  const schema = response?.content?.['application/problem+json']?.schema;
  if (!schema) return undefined;
  for (const part of schema.allOf ?? [schema]) {
    const codes = deref(doc, part)?.properties?.code?.enum;
    if (Array.isArray(codes)) return codes;
  }
  return undefined;
}

/** The first example of a media type, or of a parameter: `example`, else the first of `examples`. */
export function firstExample(doc: Json, holder: Json): { found: boolean; value?: Json } {
  if (holder && 'example' in holder) return { found: true, value: holder.example };
  const examples = Object.values<Json>(holder?.examples ?? {});
  return examples.length > 0 ? { found: true, value: deref(doc, examples[0]).value } : { found: false };
}

export function namedExample(doc: Json, holder: Json, name: string): Json {
  const example = holder?.examples?.[name];
  if (!example) throw new Error(`no example named ${name}`);
  return deref(doc, example).value;
}

const SCHEMAS_ID = 'https://abaxus.dev/openapi/schemas';

function pointComponentRefsAtDefs(node: Json): Json {
  if (Array.isArray(node)) return node.map(pointComponentRefsAtDefs);
  if (node === null || typeof node !== 'object') return node;
  const copy: Json = {};
  for (const [key, value] of Object.entries<Json>(node)) {
    copy[key] = key === '$ref' && typeof value === 'string' ? value.replace('#/components/schemas/', `${SCHEMAS_ID}#/$defs/`) : pointComponentRefsAtDefs(value);
  }
  return copy;
}

export type SchemaCheck = (schema: Json, value: unknown) => string[];

/**
 * Validates values against the document's schemas (OpenAPI 3.1 schemas are JSON Schema 2020-12;
 * OpenAPI's own keywords such as `discriminator` are annotations here). Formats are not checked.
 * Returns the errors, empty when the value is valid.
 */
export function schemaChecker(doc: Json): SchemaCheck {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: SCHEMAS_ID, $defs: pointComponentRefsAtDefs(doc.components?.schemas ?? {}) });
  const compiled = new Map<string, ValidateFunction>();
  return (schema, value) => {
    const key = JSON.stringify(schema);
    let validate = compiled.get(key);
    if (!validate) {
      validate = ajv.compile(pointComponentRefsAtDefs(schema));
      compiled.set(key, validate);
    }
    return validate(value) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is not valid'}`);
  };
}
