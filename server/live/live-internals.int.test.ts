import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingClient } from '../testing/live-client.ts';
import { internalsProblems } from './ws-internals.ts';
import { login, startTestServer, type TestServer } from '../testing/harness.ts';

/**
 * The shared frames and the slow-consumer bound read private members of engine.io and ws
 * (gateways/ws-internals.ts). This is the tripwire for an upgrade: it names what moved.
 */
const PINNED = { 'engine.io': '6.6.13', ws: '8.23.0' } as const;

/** The version of `name` that socket.io (and engine.io under it) actually loads. */
function loadedVersion(name: string): string {
  // Resolve from socket.io's own location, as Node does for it (exports hide package.json).
  const fromSocketIo = createRequire(createRequire(import.meta.url).resolve('socket.io'));
  const fromEngine = createRequire(fromSocketIo.resolve('engine.io'));
  let dir = path.dirname((name === 'ws' ? fromEngine : fromSocketIo).resolve(name));
  while (!existsSync(path.join(dir, 'package.json')) || readPkg(dir).name !== name) {
    if (dir === path.dirname(dir)) throw new Error(`cannot find the package.json of ${name}`);
    dir = path.dirname(dir);
  }
  return readPkg(dir).version;
}
const readPkg = (dir: string) =>
  JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version: string };

describe('engine.io and ws internals the live gateway relies on', () => {
  it('are the exact versions pinned in package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    for (const [name, version] of Object.entries(PINNED)) {
      expect(pkg.dependencies[name], `package.json must pin ${name} exactly (no ^ or ~)`).toBe(version);
      const installed = loadedVersion(name);
      expect(
        installed,
        `${name} ${installed} is installed, but ws-internals.ts was written against ${version}: ` +
          're-check _canSendPreEncodedFrame, _sender.sendFrame, _extensions, writeBuffer, _socket, then update the pin',
      ).toBe(version);
    }
  });

  describe('on a live connection', () => {
    let s: TestServer;
    beforeAll(async () => {
      s = await startTestServer();
    });
    afterAll(async () => s?.close());

    it('are all where ws-internals.ts reads them, deflating and plain', async () => {
      const cookie = await login(s.url, 'duty');
      const clients = [
        new RecordingClient(s.url, cookie),
        new RecordingClient(s.url, cookie, undefined, { deflate: false }),
      ];
      await Promise.all(clients.map((c) => c.connected()));
      const socks = [...s.live.gateway.io.of('/live').sockets.values()];
      expect(socks).toHaveLength(2);
      for (const sock of socks) {
        const problems = internalsProblems(sock.conn);
        expect(problems, `engine.io/ws internals changed:\n - ${problems.join('\n - ')}`).toEqual([]);
      }
      for (const c of clients) c.close();
    });
  });

  it('names each member that is missing or of another shape', () => {
    expect(internalsProblems({})).toEqual([
      'engine.io Socket.writeBuffer is not an array',
      'engine.io Socket.transport is missing',
    ]);
    const moved = internalsProblems({
      writeBuffer: [],
      transport: { socket: { _extensions: { 'permessage-deflate': { params: null } }, _socket: {} } },
    });
    expect(moved).toEqual([
      'engine.io WebSocket transport has no _canSendPreEncodedFrame(packet)',
      'ws WebSocket._sender.sendFrame is not a function',
      'ws Sender._bufferedBytes is not a number',
      'ws PerMessageDeflate.params is not the negotiated parameters object',
      'ws WebSocket._socket.writableLength is not a number',
      'ws WebSocket.terminate is not a function',
    ]);
  });
});
