/**
 * The console's one way to the API: same origin, the signed-in key as a Bearer token. The key
 * lives in sessionStorage only (gone with the tab, never in a cookie or localStorage), so it is
 * never sent anywhere but to this service's /v1.
 */
const KEY = 'backoffice.console.apiKey';

export const session = {
  key: () => sessionStorage.getItem(KEY),
  save: (key) => sessionStorage.setItem(KEY, key),
  clear: () => sessionStorage.removeItem(KEY),
};

/** A refusal from the API, carrying its problem details (RFC 9457). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `The service answered ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function send(path, init = {}) {
  const key = session.key();
  const headers = { Accept: 'application/json', ...(init.headers ?? {}) };
  if (key) headers.Authorization = `Bearer ${key}`;
  const response = await fetch(path, { ...init, headers });
  if (!response.ok) {
    let problem;
    try {
      problem = await response.json();
    } catch {
      problem = undefined;
    }
    throw new ApiError(response.status, problem);
  }
  return response;
}

/** GET a JSON answer; `query` values left undefined or '' are not sent. */
export async function get(path, query = {}) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  const search = params.toString();
  const response = await send(search ? `${path}?${search}` : path);
  return response.json();
}

/** Every page of a `{ items, nextCursor }` list, up to `max` items (the console shows them all). */
export async function getAll(path, query = {}, max = 1000) {
  const items = [];
  let cursor;
  do {
    const page = await get(path, { ...query, limit: 100, cursor });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && items.length < max);
  return items;
}

export async function post(path, body) {
  const response = await send(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.json();
}

/** A streamed export as a Blob (fetched, not linked: the link could not carry the key). */
export async function download(path, query) {
  const response = await send(`${path}?${new URLSearchParams(query)}`, {
    headers: { Accept: '*/*' },
  });
  return response.blob();
}
