/** Domain errors; the HTTP layer maps them to status codes. */
export class DomainError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503,
    readonly code: string,
    message: string,
    readonly issues?: { path: string; message: string }[],
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
}
export const notFound = (what: string) => new DomainError(404, 'not_found', `${what} not found`);
export const conflict = (message: string) => new DomainError(409, 'conflict', message);
export const forbidden = (message = 'your role may not do this') =>
  new DomainError(403, 'forbidden', message);
export const invalid = (path: string, message: string) =>
  new DomainError(400, 'invalid_request', message, [{ path, message }]);
