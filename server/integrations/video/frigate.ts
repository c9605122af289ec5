import { z } from 'zod';
import {
  byteSize,
  iso,
  textIssues,
  type ParseOptions,
  type ParseResult,
  type Problem,
  type VendorEvent,
} from './vendor-event.ts';

/**
 * Frigate's MQTT messages (the same JSON by POST): `frigate/events` (a tracked object: `type`
 * new/update/end, `before`/`after` with id, camera, label, score/top_score, start_time, end_time,
 * has_snapshot) and `frigate/reviews` (a review item: the same `type`, `before`/`after` with id,
 * camera, severity alert|detection, data.objects). `after` is the state now, so it is the one
 * read; `before` only has to be an object when present. Fields Frigate adds over versions pass.
 */

export const FRIGATE_MAX_BYTES = 256 * 1024;

export type FrigateTopic = 'events' | 'reviews';

const name = (max: number) => z.string().min(1).max(max);
const epochSeconds = z.number().finite().min(0).max(1e11);

const EventSide = z.looseObject({
  id: name(128),
  camera: name(200),
  label: name(64),
  score: z.number().min(0).max(1).nullish(),
  top_score: z.number().min(0).max(1).nullish(),
  start_time: epochSeconds,
  end_time: epochSeconds.nullish(),
  has_snapshot: z.boolean().optional(),
  false_positive: z.boolean().optional(),
});

const ReviewSide = z.looseObject({
  id: name(128),
  camera: name(200),
  severity: z.enum(['alert', 'detection']),
  start_time: epochSeconds,
  end_time: epochSeconds.nullish(),
  data: z.looseObject({ objects: z.array(name(64)).max(100) }),
});

const Envelope = z.looseObject({
  type: z.enum(['new', 'update', 'end']),
  before: z.looseObject({}).nullish(),
  after: z.looseObject({}),
});

/** The topic a message came on (`frigate/events`, `<prefix>/reviews`), if known. */
export function frigateTopicOf(topic: string): FrigateTopic | null {
  const last = topic.split('/').pop();
  return last === 'events' || last === 'reviews' ? last : null;
}

export function parseFrigate(
  input: string | Uint8Array | unknown,
  options: ParseOptions & { topic?: FrigateTopic },
): ParseResult {
  let value: unknown = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const size = byteSize(input);
    if (size > FRIGATE_MAX_BYTES)
      return {
        ok: false,
        problems: [{ path: '', message: `message too large: ${size} bytes, at most ${FRIGATE_MAX_BYTES}` }],
      };
    let text: string;
    try {
      text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      return { ok: false, problems: [{ path: '', message: 'the bytes are not valid UTF-8' }] };
    }
    try {
      value = JSON.parse(text);
    } catch (e) {
      return { ok: false, problems: [{ path: '', message: `not JSON: ${(e as Error).message}` }] };
    }
  }
  const envelope = Envelope.safeParse(value);
  if (!envelope.success) return { ok: false, problems: issues(envelope.error, '') };
  const after = envelope.data.after;
  const topic = options.topic ?? ('severity' in after ? 'reviews' : 'events');
  const ended = envelope.data.type === 'end';

  if (topic === 'reviews') {
    const r = ReviewSide.safeParse(after);
    if (!r.success) return { ok: false, problems: issues(r.error, 'after') };
    const problems = [
      ...textIssues(r.data.id, 128, 'after.id'),
      ...textIssues(r.data.camera, 200, 'after.camera'),
      ...r.data.data.objects.flatMap((o, i) => textIssues(o, 64, `after.data.objects[${i}]`)),
    ];
    if (problems.length > 0) return { ok: false, problems };
    return {
      ok: true,
      events: [
        {
          vendor: 'frigate',
          device: { frigate: { camera: r.data.camera } },
          kind: 'alarm',
          vendorType: r.data.severity,
          active: !ended && r.data.end_time == null,
          eventId: `review:${r.data.id}`,
          observedAt: iso(r.data.start_time * 1000),
          labels: [...new Set(r.data.data.objects)],
        },
      ],
    };
  }

  const e = EventSide.safeParse(after);
  if (!e.success) return { ok: false, problems: issues(e.error, 'after') };
  const problems = [
    ...textIssues(e.data.id, 128, 'after.id'),
    ...textIssues(e.data.camera, 200, 'after.camera'),
    ...textIssues(e.data.label, 64, 'after.label'),
  ];
  if (problems.length > 0) return { ok: false, problems };
  // Frigate publishes once an object stops being a false positive; one still marked so is nothing.
  if (e.data.false_positive === true) return { ok: true, events: [] };
  const confidence = e.data.top_score ?? e.data.score ?? undefined;
  const event: VendorEvent = {
    vendor: 'frigate',
    device: { frigate: { camera: e.data.camera } },
    kind: 'alarm',
    vendorType: e.data.label,
    active: !ended && e.data.end_time == null,
    eventId: `event:${e.data.id}`,
    observedAt: iso(e.data.start_time * 1000),
    labels: [e.data.label],
  };
  if (confidence !== undefined) event.confidence = confidence;
  return { ok: true, events: [event] };
}

function issues(error: z.ZodError, base: string): Problem[] {
  return error.issues.map((i) => ({
    path: [base, ...i.path.map(String)].filter((p) => p !== '').join('.'),
    message: i.message,
  }));
}
