import type { Socket } from 'node:net';
import { Server as NetServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** What a client is told to wait before trying again (another instance, or this one restarted). */
export const CLOSING_RETRY_AFTER_S = 2;
/** Longest the drain waits for clients to hang up their keep-alive connections themselves. */
export const DRAIN_GRACE_MS = 3_000;
/**
 * A drain with no request in flight and none arriving for this long is over: a busy client has
 * been told by then, and an idle one is no likelier to send during a longer wait.
 */
export const DRAIN_QUIET_MS = 500;

/**
 * A graceful close for clients on keep-alive connections.
 *
 * Fastify's `return503OnClosing` answers a bare 503 (no Retry-After), and Node's `server.close()`
 * destroys every idle keep-alive socket at once, so a client that is just sending its next request
 * on one gets a connection reset and cannot know whether it was received. Instead, when the app
 * closes: stop accepting connections but keep the open ones; every request that still arrives is
 * answered `503` with `Retry-After` and `Connection: close`, and every in-flight one finishes with
 * `Connection: close`, so each client hangs up after a complete answer. Once all have hung up, or
 * it has gone quiet, or the grace period is over, Fastify closes the sockets left idle.
 */
export default fp(
  async function closing(app: FastifyInstance, opts: { graceMs?: number; quietMs?: number }) {
    const graceMs = opts.graceMs ?? DRAIN_GRACE_MS;
    const quietMs = opts.quietMs ?? DRAIN_QUIET_MS;
    let draining = false;
    // Sockets that carried an API request: the clients the drain waits for.
    const sockets = new Set<Socket>();
    let inFlight = 0;
    let lastActivity = 0;
    let changed: (() => void) | null = null;

    app.addHook('onRequest', async (req, reply) => {
      const socket = req.raw.socket;
      if (!sockets.has(socket)) {
        sockets.add(socket);
        socket.once('close', () => {
          sockets.delete(socket);
          changed?.();
        });
      }
      inFlight++;
      lastActivity = performance.now();
      // 'close' comes for every response: finished, failed or abandoned by the client.
      reply.raw.once('close', () => {
        inFlight--;
        lastActivity = performance.now();
        changed?.();
      });
    });

    // After the body is read: a reply before it, then closing the socket with the body unread,
    // would make the kernel send a reset, which may destroy the reply before the client reads it.
    app.addHook('preValidation', async (_req, reply) => {
      if (!draining) return;
      // The same body whatever the route: sent as text, past the route's own 503 schema (that of
      // /healthz says "Redis does not answer", which is not what this is).
      return reply
        .code(503)
        .header('retry-after', String(CLOSING_RETRY_AFTER_S))
        .header('connection', 'close')
        .type('application/json; charset=utf-8')
        .serializer((body) => JSON.stringify(body))
        .send({ error: 'shutting_down', message: 'the server is shutting down; retry shortly' });
    });

    app.addHook('onSend', async (_req, reply) => {
      // An answer finished while draining closes its connection after it, cleanly.
      if (draining) reply.header('connection', 'close');
    });

    app.addHook('preClose', async () => {
      draining = true;
      // Stop accepting: net.Server's close only closes the listening socket; http.Server's own
      // close (which Fastify calls after this hook) would also destroy idle keep-alive sockets.
      if (app.server.listening) NetServer.prototype.close.call(app.server);
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(grace);
          clearInterval(quiet);
          changed = null;
          resolve();
        };
        // Timers end the wait, never a clock comparison alone (which a timer may run just short of).
        const grace = setTimeout(done, graceMs);
        const quiet = setInterval(
          () => inFlight === 0 && performance.now() - lastActivity >= quietMs && done(),
          Math.max(10, quietMs / 5),
        );
        changed = () => sockets.size === 0 && inFlight === 0 && done();
        changed();
      });
    });
  },
  { name: 'closing' },
);
