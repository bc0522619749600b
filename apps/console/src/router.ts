import { useEffect, useState } from 'preact/hooks';

/*
 * History routing under /console: the gateway answers every /console/* path with index.html
 * (the SPA fallback), so a reload or a shared link opens the same page.
 */

export const BASE = '/console';

export function navigate(path: string): void {
  history.pushState(null, '', `${BASE}${path}`);
  dispatchEvent(new PopStateEvent('popstate'));
}

/** The path inside the console ("/customers/cust_1") and its query parameters. */
export function useLocation(): { path: string; params: URLSearchParams } {
  const read = () => ({ path: location.pathname.slice(BASE.length) || '/', params: new URLSearchParams(location.search) });
  const [current, setCurrent] = useState(read);
  useEffect(() => {
    const update = () => setCurrent(read());
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return current;
}

/** Matches "/customers/:id" against a path; the captured segments, decoded, or undefined. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const names: string[] = [];
  const source = pattern.replace(/:(\w+)/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  const found = new RegExp(`^${source}/?$`).exec(path);
  if (!found) return undefined;
  return Object.fromEntries(names.map((name, index) => [name, decodeURIComponent(found[index + 1])]));
}
