import { formLeaves, type BodyLeaf } from './body-structure.js';

// Leaves of the parts of a request that are not a body: the URL and the Cookie header.

/** URL leaves: the decoded path and every query field (decoded, and raw for odd encodings). */
export function urlLeaves(url: string): BodyLeaf[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  const leaves: BodyLeaf[] = [];
  let path = parsed.pathname;
  try {
    path = decodeURIComponent(path);
  } catch {
    // keep the raw path
  }
  leaves.push({ label: 'path', bytes: Buffer.from(path, 'utf8') });
  const query = parsed.search.replace(/^\?/, '');
  if (query) for (const leaf of formLeaves(query)) leaves.push({ ...leaf, label: `query:${leaf.label}` });
  if (parsed.hash) leaves.push({ label: 'fragment', bytes: Buffer.from(parsed.hash.slice(1), 'utf8') });
  return leaves;
}

/** `a=1; b=2` cookies, each as given and URL-decoded. */
export function cookieLeaves(header: string): BodyLeaf[] {
  const leaves: BodyLeaf[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    try {
      const decoded = decodeURIComponent(value);
      if (decoded !== value) {
        leaves.push({ label: name, bytes: Buffer.from(decoded, 'utf8') });
        leaves.push({ label: name, bytes: Buffer.from(value, 'utf8'), encodedTwin: true });
        continue;
      }
    } catch {
      // not percent-encoded
    }
    leaves.push({ label: name, bytes: Buffer.from(value, 'utf8') });
  }
  return leaves;
}
