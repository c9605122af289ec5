/**
 * A connection URL as it may be printed: the password (userinfo or `?password=`) replaced by
 * `***`. Logs and terminals are read and kept by people who must not learn the Redis or database
 * password from them.
 */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // Not a URL we can parse: still never print what looks like `user:password@`.
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:)[^@]*@/i, '$1***@');
  }
  if (u.password) u.password = '***';
  for (const key of [...u.searchParams.keys()])
    if (/^pass(word)?$/i.test(key)) u.searchParams.set(key, '***');
  return u.toString();
}
