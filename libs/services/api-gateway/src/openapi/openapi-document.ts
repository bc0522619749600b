import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The project's API reference, relative to the repository root. */
export const OPENAPI_FILE = join('docs', 'openapi.yaml');

export type LoadedOpenApi = { ok: true; path: string; yaml: string; json: string; document: Record<string, unknown> } | { ok: false; reason: string };

/**
 * Where docs/openapi.yaml may be. Every run mode starts from the repository root (`npm start`,
 * jest, the image's WORKDIR), so the working directory comes first; the paths above this file
 * cover a start from elsewhere, from the sources (libs/services/api-gateway/src/openapi, five levels
 * deep) and from the build (dist/libs/services/api-gateway/src/openapi, six). The build never copies the file.
 */
export function openApiCandidatePaths(): string[] {
  return [resolve(process.cwd(), OPENAPI_FILE), resolve(__dirname, '../../../../..', OPENAPI_FILE), resolve(__dirname, '../../../../../..', OPENAPI_FILE)];
}

/** Reads and parses the document once; a missing or broken file is a reason, never a crash. */
export async function loadOpenApiDocument(candidates: string[] = openApiCandidatePaths()): Promise<LoadedOpenApi> {
  const path = candidates.find((candidate) => existsSync(candidate));
  if (!path) return { ok: false, reason: `${OPENAPI_FILE} was not found (looked at ${candidates.join(', ')})` };
  try {
    const yaml = readFileSync(path, 'utf8');
    // Loaded here rather than imported at the top: `yaml` is a devDependency, and a runtime
    // installed without it must still serve the API (the docs then answer 503).
    const { parse } = await import('yaml');
    const document: unknown = parse(yaml);
    if (!document || typeof document !== 'object' || Array.isArray(document)) return { ok: false, reason: `${path} does not hold a YAML mapping` };
    return { ok: true, path, yaml, json: JSON.stringify(document), document: document as Record<string, unknown> };
  } catch (error) {
    return { ok: false, reason: `${path} cannot be read: ${(error as Error).message}` };
  }
}
