// The one way the dashboard talks to the server. Every request is
// same-origin, carries the session cookie and the CSRF header the server
// wants on cookie-authenticated writes (SPEC §14), and JSON.
// Success resolves to {data, nextCursor, warnings, status}; failure throws an
// ApiError with the server's status, code, message and param (the field).

export class ApiError extends Error {
  constructor(status, code, message, param) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.param = param || null;
  }
}

let unauthorizedHandler = null;
/** Called (with the ApiError) whenever an API answer is 401. */
export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new DOMException('Aborted', 'AbortError'));
    }, { once: true });
  });

export function newIdempotencyKey() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export function withQuery(path, query) {
  if (!query) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? path + (path.includes('?') ? '&' : '?') + s : path;
}

/**
 * api(path, {method, body, query, signal, idempotencyKey, noAuthRedirect})
 * GETs, and POSTs given an idempotencyKey, are retried after a 429/503
 * (honouring Retry-After) or a network failure; nothing else is.
 */
export async function api(path, opts = {}) {
  const { method = 'GET', body, query, signal, idempotencyKey, noAuthRedirect } = opts;
  const url = withQuery(path, query);
  const headers = { 'X-Requested-With': 'leadterra', 'Content-Type': 'application/json' };
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
  const retryable = method === 'GET' || !!idempotencyKey;
  for (let attempt = 0; ; attempt++) {
    let res;
    try {
      res = await fetch(url, {
        method,
        credentials: 'same-origin',
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        cache: 'no-store',
      });
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      if (retryable && attempt < 2) {
        await sleep(500 * (attempt + 1), signal);
        continue;
      }
      throw new ApiError(0, 'network_error', 'Cannot reach the Leadterra server. Check that it is running and try again.');
    }
    if ((res.status === 429 || res.status === 503) && retryable && attempt < 4) {
      const wait = Math.min(Number(res.headers.get('Retry-After')) || 1, 10);
      await sleep(wait * 1000, signal);
      continue;
    }
    const text = await res.text();
    let payload = null;
    if (text) {
      try {
        payload = JSON.parse(text);
      } catch {
        payload = null;
      }
    }
    if (!res.ok) {
      const err = (payload && payload.error) || {};
      const e = new ApiError(
        res.status,
        err.code || 'http_' + res.status,
        err.message || `The server answered ${res.status} ${res.statusText}.`.replace(' .', '.'),
        err.param,
      );
      if (res.status === 401 && !noAuthRedirect && unauthorizedHandler) unauthorizedHandler(e);
      throw e;
    }
    return {
      data: payload ? payload.data ?? null : null,
      nextCursor: payload ? payload.nextCursor ?? null : null,
      warnings: (payload && payload.warnings) || [],
      status: res.status,
    };
  }
}

export const get = (path, query, opts) => api(path, { ...opts, query });
export const post = (path, body, opts) => api(path, { ...opts, method: 'POST', body });
export const patch = (path, body, opts) => api(path, { ...opts, method: 'PATCH', body });
export const del = (path, opts) => api(path, { ...opts, method: 'DELETE' });

/** Path segment encoding for ids and values (suppressions hold '@'). */
export const seg = (s) => encodeURIComponent(s);
