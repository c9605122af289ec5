import type { FastifyServerOptions } from 'fastify';
import { redactUrl } from './redact.ts';

/**
 * What our pino logs never carry: a password, a session cookie, an API or intake key, a token, or
 * the password inside a REDIS_URL/DATABASE_URL. Logs are shipped and kept by people who must not
 * learn any of them. The server (through Fastify) and the worker processes use the same options.
 */
const SECRET_KEYS = [
  'password',
  'newPassword',
  'passwordHash',
  'token',
  'metricsToken',
  'apiKey',
  'intakeKey',
  'intakeKeys',
  'cookie',
  'authorization',
];
const URL_KEYS = ['redisUrl', 'databaseUrl', 'mqttUrl', 'REDIS_URL', 'DATABASE_URL', 'MQTT_URL'];

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  // One level deep as well: `{ body: { password } }`, `{ config: { redisUrl } }`.
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`]),
  ...URL_KEYS.flatMap((k) => [k, `*.${k}`]),
];

/** A URL keeps its host (worth knowing) and loses its password; anything else is `***`. */
function censor(value: unknown, path: string[]): unknown {
  const key = path[path.length - 1] ?? '';
  if (URL_KEYS.includes(key) && typeof value === 'string') return redactUrl(value);
  return '***';
}

export const LOG_REDACT = { paths: REDACT_PATHS, censor };

/** Query parameters that may carry a secret (`?token=`, `?key=`, `?password=`…) become `***`. */
const SECRET_PARAM = /pass|token|key|secret|session|auth/i;

export function redactQuery(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  let changed = false;
  for (const name of [...new Set(params.keys())])
    if (SECRET_PARAM.test(name)) {
      params.set(name, '***');
      changed = true;
    }
  return changed ? `${url.slice(0, q)}?${params.toString()}` : url;
}

type ReqLike = {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
};

/** Fastify's own request serializer, with the query string's secrets censored. */
function req(r: ReqLike) {
  return {
    method: r.method,
    url: r.url === undefined ? undefined : redactQuery(r.url),
    host: r.host,
    remoteAddress: r.ip,
    remotePort: r.socket?.remotePort,
  };
}

/** The pino options both kinds of process log with (LOG_LEVEL aside). */
export const LOG_OPTIONS = { redact: LOG_REDACT, serializers: { req } };

/**
 * Fastify's `logger` option with our redaction: `true` or an options object gains it (its own
 * `redact`/serializers win), `false`/absent stays off.
 */
export function withRedaction(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return logger;
  if (logger === true) return { ...LOG_OPTIONS };
  return {
    ...logger,
    redact: logger.redact ?? LOG_REDACT,
    serializers: { ...LOG_OPTIONS.serializers, ...logger.serializers },
  };
}
