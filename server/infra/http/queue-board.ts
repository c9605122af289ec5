import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService } from '../../identity/auth.service.ts';
import type { PipelineQueue } from '../../pipeline/queue.ts';
import { identify } from '../../identity/auth.plugin.ts';

export const QUEUE_BOARD_PATH = '/admin/queues';

export type QueueBoardOptions = { auth: AuthService; queue: PipelineQueue };

// bull-board's page asks Google for its fonts; the centre may have no internet, and our CSP
// would refuse the stylesheet anyway. Its CSS falls back to the system's sans-serif and monospace.
const REMOTE_FONTS = /<link[^>]+href="https:\/\/fonts\.(?:googleapis|gstatic)\.com[^"]*"[^>]*>\s*/g;

/**
 * The admin's view of the BullMQ pipeline (`@bull-board/fastify`), behind the console's session:
 * no session → the login page (a browser) or 401; any role but admin → 403. Read-only: removing
 * a waiting job would lose a report that was answered 202, and failed jobs are retried through
 * the pipeline's own rules, not by hand.
 *
 * Registered with `prefix: QUEUE_BOARD_PATH`, outside `/api/`, so the API's auth hook does not
 * run here; this scope resolves the caller itself with the same helper.
 */
export default async function queueBoard(app: FastifyInstance, opts: QueueBoardOptions) {
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    // Answered here, not thrown: bull-board sets its own error handler in this scope.
    try {
      await identify(opts.auth, req);
    } catch {
      return reply.code(401).send({ error: 'unauthorized', message: 'unknown key' });
    }
    const caller = req.caller;
    if (!caller) {
      if (req.method === 'GET' && req.headers.accept?.includes('text/html')) return reply.redirect('/login');
      return reply.code(401).send({ error: 'unauthorized', message: 'log in first' });
    }
    if (caller.kind !== 'user' || caller.user.role !== 'admin') {
      return reply.code(403).send({ error: 'forbidden', message: 'the queue board is for the admin only' });
    }
    // Job payloads are reports as sent: no cache may keep them.
    reply.header('cache-control', 'no-store');
  });

  app.addHook('onSend', async (_req, reply, payload) => {
    if (typeof payload !== 'string' || !String(reply.getHeader('content-type')).startsWith('text/html'))
      return payload;
    return payload.replace(REMOTE_FONTS, '');
  });

  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: [new BullMQAdapter(opts.queue.bullQueue, { readOnlyMode: true })],
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Pingzhan queues', hideDocsLink: true } },
  });
  await app.register(serverAdapter.registerPlugin());
}
