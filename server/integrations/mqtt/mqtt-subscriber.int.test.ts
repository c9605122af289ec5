/**
 * The MQTT subscriber against a real broker (Debian's mosquitto, started on a private port by the
 * test): a Frigate `events` message as Frigate's docs publish it reaches the callback; after a
 * broker restart the subscriber reconnects and receives again; two servers in the shared group
 * take each message once between them. Waits on messages and subscriptions, never on time.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, withoutJsonComments } from '../video/fixtures/variants.ts';
import { startTestBroker, type TestBroker } from '../../testing/mosquitto.ts';
import { MqttSubscriber, type MqttLog } from './mqtt-subscriber.ts';

const FRIGATE_EVENT = Buffer.from(
  withoutJsonComments(fixture('frigate-docs-events-update.jsonc.txt').toString()),
);

/** What the subscriber logged, for asserting it told of errors. */
function recordingLog() {
  const lines: { level: string; msg: string; obj: object }[] = [];
  const at =
    (level: string) =>
    (obj: object, msg: string): void => {
      lines.push({ level, msg, obj });
    };
  const log: MqttLog = { info: at('info'), warn: at('warn'), error: at('error') };
  return { log, lines };
}

/** A queue of what the callback received, and a way to wait for the next one. */
function inbox() {
  const got: { topic: string; payload: Buffer }[] = [];
  const waiters: (() => void)[] = [];
  return {
    got,
    onMessage: async (topic: string, payload: Buffer) => {
      got.push({ topic, payload });
      waiters.splice(0).forEach((w) => w());
    },
    until: (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => (got.length >= n ? resolve() : waiters.push(check));
        check();
      }),
  };
}

/** Resolves at the subscriber's next granted subscription. */
function subscriptions() {
  let next: (() => void) | null = null;
  let count = 0;
  return {
    onSubscribed: () => {
      count++;
      next?.();
    },
    after: (n: number) =>
      new Promise<void>((resolve) => {
        if (count >= n) return resolve();
        next = () => count >= n && resolve();
      }),
  };
}

async function publisher(url: string): Promise<MqttClient> {
  return mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0 });
}

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker();
});
afterAll(async () => broker?.stop());

describe('MQTT subscriber', () => {
  it('hands a Frigate events message to the callback; reconnects after a broker restart and receives again', async () => {
    const box = inbox();
    const subs = subscriptions();
    const { log, lines } = recordingLog();
    const sub = new MqttSubscriber({
      url: broker.url,
      topics: ['frigate/events', 'frigate/reviews'],
      onMessage: box.onMessage,
      log,
      reconnectMs: 100,
      onSubscribed: subs.onSubscribed,
    });
    try {
      await subs.after(1);
      const pub = await publisher(broker.url);
      await pub.publishAsync('frigate/events', FRIGATE_EVENT, { qos: 1 });
      await box.until(1);
      expect(box.got[0]!.topic).toBe('frigate/events');
      expect(JSON.parse(box.got[0]!.payload.toString())).toMatchObject({ type: 'update' });
      await pub.endAsync(true);

      await broker.restart();
      await subs.after(2);
      expect(lines.some((l) => l.level === 'warn' && /MQTT/.test(l.msg))).toBe(true);
      const pub2 = await publisher(broker.url);
      await pub2.publishAsync('frigate/reviews', Buffer.from('{"type":"new"}'), { qos: 1 });
      await box.until(2);
      expect(box.got[1]!.topic).toBe('frigate/reviews');
      await pub2.endAsync(true);
    } finally {
      await sub.close();
    }
    expect(sub.connected).toBe(false);
  });

  it('logs a message its ingest rejects (with the topic) and goes on with the next', async () => {
    const subs = subscriptions();
    const { log, lines } = recordingLog();
    let n = 0;
    const box = inbox();
    const sub = new MqttSubscriber({
      url: broker.url,
      topics: ['frigate/events'],
      onMessage: async (topic, payload) => {
        if (n++ === 0) throw new Error('pipeline_busy');
        await box.onMessage(topic, payload);
      },
      log,
      onSubscribed: subs.onSubscribed,
    });
    try {
      await subs.after(1);
      const pub = await publisher(broker.url);
      await pub.publishAsync('frigate/events', Buffer.from('1'), { qos: 1 });
      await pub.publishAsync('frigate/events', Buffer.from('2'), { qos: 1 });
      await box.until(1);
      expect(box.got[0]!.payload.toString()).toBe('2');
      const err = lines.find((l) => l.level === 'error');
      expect(err?.msg).toBe('MQTT message rejected by its ingest');
      expect(err?.obj).toMatchObject({ topic: 'frigate/events' });
      await pub.endAsync(true);
    } finally {
      await sub.close();
    }
  });

  it('two servers in the shared group take each message once between them', async () => {
    const a = inbox();
    const b = inbox();
    const sa = subscriptions();
    const sb = subscriptions();
    const { log } = recordingLog();
    const common = { url: broker.url, topics: ['frigate/events'], log };
    const subA = new MqttSubscriber({ ...common, onMessage: a.onMessage, onSubscribed: sa.onSubscribed });
    const subB = new MqttSubscriber({ ...common, onMessage: b.onMessage, onSubscribed: sb.onSubscribed });
    try {
      await Promise.all([sa.after(1), sb.after(1)]);
      const pub = await publisher(broker.url);
      const N = 20;
      for (let i = 0; i < N; i++)
        await pub.publishAsync('frigate/events', Buffer.from(String(i)), { qos: 1 });
      // Each message goes to one member: wait until all N arrived across the two.
      await new Promise<void>((resolve) => {
        const check = () => {
          if (a.got.length + b.got.length >= N) return resolve();
          void Promise.race([a.until(a.got.length + 1), b.until(b.got.length + 1)]).then(check);
        };
        check();
      });
      const all = [...a.got, ...b.got].map((m) => m.payload.toString()).sort((x, y) => Number(x) - Number(y));
      expect(all).toEqual(Array.from({ length: N }, (_, i) => String(i)));
      // Both took a share (mosquitto deals round-robin), so neither saw everything.
      expect(a.got.length).toBeGreaterThan(0);
      expect(b.got.length).toBeGreaterThan(0);
      await pub.endAsync(true);
    } finally {
      await Promise.all([subA.close(), subB.close()]);
    }
  });
});
