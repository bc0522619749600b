/*
 * Which optional API features this engine has, read once from its own /openapi.json (served
 * unauthenticated by the gateway): actions such as credit notes appear only when the engine
 * documents their endpoint, so the console never offers a button that would answer 404.
 */

let paths: Promise<Set<string>> | undefined;

function documentedPaths(): Promise<Set<string>> {
  paths ??= fetch('/openapi.json')
    .then((response) => (response.ok ? (response.json() as Promise<{ paths?: Record<string, unknown> }>) : { paths: {} }))
    .then((document) => new Set(Object.keys(document.paths ?? {})))
    .catch(() => new Set<string>());
  return paths;
}

export async function hasEndpoint(path: string): Promise<boolean> {
  return (await documentedPaths()).has(path);
}
