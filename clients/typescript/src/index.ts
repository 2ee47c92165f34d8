// A small typed client for the Leadterra API. The request and response types
// come from `schema.d.ts`, generated from the server's OpenAPI document by
// openapi-typescript (`npm run generate`); openapi-fetch does the calls. Every
// path, parameter and body is checked by the compiler against the document.
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type { components, paths };
export type Schemas = components["schemas"];

/** The error envelope every failed call answers with. */
export type ApiError = Schemas["Error"]["error"];

/** Thrown by `unwrap` when the API answers with an error. */
export class LeadterraError extends Error {
  constructor(
    readonly status: number,
    readonly error: ApiError,
  ) {
    super(`${status} ${error.code}: ${error.message}${error.param ? ` (${error.param})` : ""}`);
  }
}

export interface LeadterraOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  /** A workspace API key, sk_live_… */
  apiKey: string;
  fetch?: typeof fetch;
}

/** A client whose methods are typed by path: `client.GET("/v1/campaigns/{id}", …)`. */
export function createLeadterraClient(options: LeadterraOptions): Client<paths> {
  return createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    headers: { Authorization: `Bearer ${options.apiKey}` },
    fetch: options.fetch,
  });
}

/** The `data` of a successful answer, or a LeadterraError. */
export async function unwrap<T>(
  call: Promise<{ data?: { data: T }; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (data !== undefined) return data.data;
  const body = error as { error?: ApiError } | undefined;
  throw new LeadterraError(
    response.status,
    body?.error ?? { code: "internal_error", message: `HTTP ${response.status}` },
  );
}
