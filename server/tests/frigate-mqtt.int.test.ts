/**
 * Frigate over MQTT end to end: a real broker (Debian's mosquitto on a private port), the server
 * started with `MQTT_URL` as a user starts it, Frigate's documented messages published on its
 * topics, and the alerts on a console's socket. Repeats of one detection stay one alert, and the
 * audit trail says the events came from `frigate`.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../shared/protocol.ts';
import { frigateMessage } from '../integrations/video/fixtures/variants.ts';
import { MQTT_FRIGATE_SENDER } from '../runtime.ts';
import { apiAs, until, type Api } from '../testing/command-helpers.ts';
import { login, startTestServer, waitForPipelineIdle, type TestServer } from '../testing/harness.ts';
import { RecordingClient } from '../testing/live-client.ts';
import { startTestBroker, type TestBroker } from '../testing/mosquitto.ts';

describe('Frigate over MQTT (MQTT_URL)', () => {
  let broker: TestBroker;
  let s: TestServer;
  let feed: RecordingClient;
  let commander: Api;
  let publisher: MqttClient;

  const alertsOn = (cameraId: string) =>
    feed.events.filter(
      (e): e is Extract<LiveEvent, { type: 'video_alert.created' }> =>
        e.type === 'video_alert.created' && e.data.cameraId === cameraId,
    );
  const publish = (topic: string, message: unknown) =>
    publisher.publishAsync(topic, JSON.stringify(message), { qos: 1 });

  beforeAll(async () => {
    broker = await startTestBroker();
    s = await startTestServer({ env: { MQTT_URL: broker.url } });
    commander = apiAs(s.url, await login(s.url, 'commander'));
    feed = new RecordingClient(s.url, commander.cookie, await s.container.store.headSeq());
    await feed.connected();
    publisher = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  });
  afterAll(async () => {
    await publisher?.endAsync();
    feed?.close();
    await s?.close();
    await broker?.stop();
  });

  it('a published detection becomes one alert on its camera; its updates and review do not multiply it', async () => {
    // The server subscribes once it has started; until its subscription is granted a QoS 1
    // message to a shared subscription has no one to go to. So the detection is published until
    // its alert shows: every copy after the first is a repeat, which is what must not multiply.
    await until(async () => {
      await publish('frigate/events', frigateMessage('events', 'new'));
      return alertsOn('CAM-0005').length > 0 || null;
    });
    await publish('frigate/events', frigateMessage('events', 'update'));
    const review = frigateMessage('reviews', 'new');
    (review.after as Record<string, unknown>).camera = 'front_door';
    await publish('frigate/reviews', review);
    // A detection on another camera, published after them: once its alert is in, the messages
    // before it were handled (one subscriber takes a group's messages in order).
    await publish('frigate/reviews', frigateMessage('reviews', 'new'));
    await until(async () => alertsOn('CAM-0006').length > 0 || null);
    await waitForPipelineIdle(s);
    expect(alertsOn('CAM-0005')).toHaveLength(1);
    expect(alertsOn('CAM-0006')).toHaveLength(1);
    expect(alertsOn('CAM-0005')[0]).toMatchObject({ actor: MQTT_FRIGATE_SENDER });

    const audit = await commander.get(`/api/v1/audit?type=video_alert.created&actor=${MQTT_FRIGATE_SENDER}`);
    expect(audit.status).toBe(200);
    const ids = (audit.body.events as { data: { cameraId: string } }[]).map((e) => e.data.cameraId);
    expect(ids.sort()).toEqual(['CAM-0005', 'CAM-0006']);
  });

  it('a message the ingest refuses (not JSON) is logged and the next one still arrives', async () => {
    // A camera the admin links now, so its detection is nobody's repeat.
    const admin = apiAs(s.url, await login(s.url, 'admin'));
    const linked = await admin.patch('/api/v1/cameras/CAM-0007', {
      links: { frigate: { camera: 'back_yard' } },
    });
    expect(linked.status).toBe(200);
    await publisher.publishAsync('frigate/events', 'not json {', { qos: 1 });
    const next = frigateMessage('events', 'new');
    for (const side of ['before', 'after'] as const) {
      Object.assign(next[side] as Record<string, unknown>, { id: 'mqtt-back-yard-1', camera: 'back_yard' });
    }
    await publish('frigate/events', next);
    await until(async () => alertsOn('CAM-0007').length > 0 || null);
  });
});
