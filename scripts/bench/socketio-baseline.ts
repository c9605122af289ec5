/**
 * Baseline: a bare Socket.IO server that emits one message per event to every client, the naive
 * broadcast the product's framed fan-out replaces. Same transport options as the product's /live.
 * A child process driven over IPC by run.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { benchExternalId } from './feed-check.ts';
import { nowMs } from './histogram.ts';
import { paced } from './pacer.ts';

type Cmd =
  | { cmd: 'start' }
  | {
      cmd: 'emit';
      rate: number;
      seconds: number;
      tag: string;
      sample: { data: object } & Record<string, unknown>;
    };

const server = http.createServer();
const io = new Server(server, { transports: ['websocket'], serveClient: false, perMessageDeflate: false });
const nsp = io.of('/live');
let seq = 0;

process.on('message', async (msg: Cmd) => {
  if (msg.cmd === 'start') {
    server.listen(0, '127.0.0.1', () =>
      process.send!({ cmd: 'started', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    );
  } else if (msg.cmd === 'emit') {
    const sent = await paced(msg.rate, msg.seconds, (n) => {
      const event = {
        ...msg.sample,
        seq: ++seq,
        at: new Date().toISOString(),
        data: { ...msg.sample.data, externalId: benchExternalId(msg.tag, n, nowMs()) },
      };
      nsp.emit('events', [event]);
    });
    process.send!({ cmd: 'emitted', sent });
  }
});
process.on('disconnect', () => process.exit(0));
