import type { ErrorBody } from '../client/types.gen';

/** The platform's error body, or null when `error` is something else (network failure, HTML page). */
export function asApiError(error: unknown): ErrorBody | null {
  if (error && typeof error === 'object' && 'code' in error && 'message' in error) {
    return error as ErrorBody;
  }
  return null;
}

/** Thrown by query and mutation functions so TanStack Query sees the failure with its HTTP status. */
export class ApiRequestError extends Error {
  readonly status: number;
  readonly body: ErrorBody | null;
  readonly retryAfterSeconds: number | null;

  constructor(status: number, body: unknown, response?: Response) {
    const parsed = asApiError(body);
    super(parsed?.message ?? `Request failed with status ${status}`);
    this.name = 'ApiRequestError';
    this.status = status;
    this.body = parsed;
    const retryAfter = Number(response?.headers.get('Retry-After'));
    this.retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null;
  }

  get code(): string | null {
    return this.body?.code ?? null;
  }
}

/** Result shape of every generated SDK call (with throwOnError false). */
interface SdkResult<T> {
  data?: T;
  error?: unknown;
  response?: Response;
}

/** Returns the data of a generated SDK call, or throws an ApiRequestError carrying the error body. */
export async function unwrap<T>(call: Promise<SdkResult<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (response?.ok) return data as T;
  throw new ApiRequestError(response?.status ?? 0, error, response);
}
