/**
 * PostgreSQL stores no NUL character, in text or in jsonb ("unsupported Unicode escape
 * sequence"). One event carrying one would stop projection for good, each retry failing the
 * same way; it is written as U+FFFD instead, the one change the database makes to the record.
 */
export function pgText<T extends string | null>(s: T): T {
  return (s === null || !s.includes('\0') ? s : s.replaceAll('\0', '\uFFFD')) as T;
}

/** JSON text for a jsonb column; a `\u0000` escape (not an escaped backslash before "u0000") becomes `\ufffd`. */
export function pgJson(value: unknown): string {
  const json = JSON.stringify(value);
  return json.includes('\\u0000') ? json.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd') : json;
}
