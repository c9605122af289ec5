/**
 * Frigate (and any system that publishes its events on MQTT) in: with `MQTT_URL` set, the server
 * subscribes to `MQTT_TOPICS` on that broker and hands every message to `onMessage` — the
 * caller's ingest (Frigate's: `VideoIngestService.frigate`), which goes through the ordinary
 * durable intake. This module knows nothing of what the messages mean.
 *
 * - Shared subscription (`$share/<group>/<topic>`, MQTT v5; mosquitto ≥ 1.6, EMQX, HiveMQ…):
 *   every Pingzhan server process subscribes, and the broker gives each message to ONE member of
 *   the group. A plain subscription would hand every message to every server, and N servers would
 *   each queue it: the intake's dedup (by the Frigate event id) would absorb most of it, but N×
 *   the load and the races between near-simultaneous copies are avoidable at the source.
 * - QoS 1, acknowledged only once `onMessage` has finished (mqtt.js's `handleMessage`): the
 *   broker's at-least-once is kept up to the point where our intake took the message durably, and
 *   one message at a time per process is the backpressure (a slow intake slows the broker's
 *   delivery to us, not our memory).
 * - Reconnects by itself (mqtt.js, every `reconnectMs`) and subscribes again on each connect (a
 *   broker restarted without persistence has forgotten us).
 * - Errors are logged, never swallowed: a failed connect, a refused subscription, a message the
 *   ingest rejected (with its topic). A rejected message is still acknowledged: the broker would
 *   only give the same bytes back, and they would fail the same way.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export const DEFAULT_MQTT_TOPICS = ['frigate/events', 'frigate/reviews'];
export const DEFAULT_SHARE_GROUP = 'pingzhan';

export type MqttLog = {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
};

export type MqttSubscriberOptions = {
  /** `mqtt://[user:password@]host:port` (or `mqtts://`, `ws://`, `wss://`). */
  url: string;
  topics: readonly string[];
  /** The shared-subscription group all our servers join; null: a plain subscription (one server only). */
  group?: string | null;
  onMessage(topic: string, payload: Buffer): Promise<void>;
  log: MqttLog;
  reconnectMs?: number;
  /** Told after each (re)subscription is granted; tests wait on it. */
  onSubscribed?: () => void;
};

/** The filter subscribed to for a topic: `$share/<group>/<topic>` in a group. */
export const sharedFilter = (topic: string, group: string | null) =>
  group ? `$share/${group}/${topic}` : topic;

/** The broker's address for logs: never the password in the URL. */
export function brokerLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(unparseable MQTT_URL)';
  }
}

export class MqttSubscriber {
  private readonly client: MqttClient;
  private closed = false;

  constructor(private readonly opts: MqttSubscriberOptions) {
    const u = new URL(opts.url);
    const options: IClientOptions = {
      protocolVersion: 5,
      clean: true,
      reconnectPeriod: opts.reconnectMs ?? 1000,
      connectTimeout: 10_000,
      // We subscribe on every connect ourselves (below); mqtt.js's own resubscription would double it.
      resubscribe: false,
      clientId: `pingzhan-${process.pid}-${Math.random().toString(16).slice(2, 10)}`,
      ...(u.username && { username: decodeURIComponent(u.username) }),
      ...(u.password && { password: decodeURIComponent(u.password) }),
    };
    u.username = '';
    u.password = '';
    this.client = mqtt.connect(u.toString(), options);
    const broker = brokerLabel(opts.url);
    const group = opts.group === undefined ? DEFAULT_SHARE_GROUP : opts.group;
    const filters = opts.topics.map((t) => sharedFilter(t, group));

    this.client.handleMessage = (packet, done) => {
      const topic = packet.topic;
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      opts.onMessage(topic, payload).then(
        () => done(),
        (err: unknown) => {
          opts.log.error(
            { err, topic, bytes: payload.length, broker },
            'MQTT message rejected by its ingest',
          );
          done();
        },
      );
    };
    this.client.on('connect', () => {
      opts.log.info({ broker, filters }, 'MQTT connected; subscribing');
      this.client.subscribeAsync(filters, { qos: 1 }).then(
        (grants) => {
          // A grant of 128+ is a refusal (e.g. a broker without shared subscriptions, or an ACL).
          const refused = grants.filter((g) => g.qos >= 128).map((g) => g.topic);
          if (refused.length) opts.log.error({ broker, refused }, 'MQTT subscription refused');
          else opts.onSubscribed?.();
        },
        (err: unknown) => opts.log.error({ err, broker, filters }, 'MQTT subscribe failed'),
      );
    });
    this.client.on('reconnect', () => opts.log.warn({ broker }, 'MQTT reconnecting'));
    this.client.on('offline', () => {
      if (!this.closed) opts.log.warn({ broker }, 'MQTT broker unreachable');
    });
    this.client.on('error', (err) => opts.log.error({ err, broker }, 'MQTT error'));
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** On shutdown: waits for the message in hand, then disconnects (no reconnect after). */
  async close(): Promise<void> {
    this.closed = true;
    await this.client.endAsync();
  }
}

/**
 * The subscriber the configuration asks for (`MQTT_URL`, `MQTT_TOPICS`, `MQTT_SHARE_GROUP`), or
 * null when no broker is configured. The caller closes it on shutdown.
 */
export function mqttFromConfig(
  c: { mqttUrl: string | null; mqttTopics: string[]; mqttShareGroup: string },
  onMessage: MqttSubscriberOptions['onMessage'],
  log: MqttLog,
): MqttSubscriber | null {
  if (!c.mqttUrl || c.mqttTopics.length === 0) return null;
  return new MqttSubscriber({
    url: c.mqttUrl,
    topics: c.mqttTopics,
    group: c.mqttShareGroup,
    onMessage,
    log,
  });
}
