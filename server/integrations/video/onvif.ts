import {
  byteSize,
  deviceTimeMs,
  iso,
  textIssues,
  type ParseOptions,
  type ParseResult,
  type Problem,
  type VendorEvent,
} from './vendor-event.ts';
import { childNamed, childrenNamed, readXmlTree, type XmlNode } from './xml-tree.ts';

/**
 * ONVIF events: a `wsnt:Notify` (SOAP envelope or bare, as a camera pushes it to a subscriber)
 * or a metadata stream (`tt:MetadataStream` → `tt:Event` → `wsnt:NotificationMessage`), each
 * NotificationMessage one event:
 * - topic: `wsnt:Topic`, its prefixes resolved: the ONVIF topic namespace is written `tns1:` and
 *   Axis's `tnsaxis:` whatever prefix the device chose, so the mapping table can name them;
 * - producer: `wsnt:ProducerReference/wsa:Address` (the camera's link key; required);
 * - `tt:Message`: `UtcTime`, `PropertyOperation` (`Initialized` states a value: kind `state`,
 *   never an alert; `Changed`/`Deleted` or none: an alarm), Source and Data SimpleItems.
 */

export const ONVIF_MAX_BYTES = 1024 * 1024;
export const ONVIF_MAX_MESSAGES = 200;

const WSNT = 'http://docs.oasis-open.org/wsn/b-2';
const TOPIC_PREFIXES: Record<string, string> = {
  'http://www.onvif.org/ver10/topics': 'tns1',
  'http://www.axis.com/2009/event/topics': 'tnsaxis',
};

/** Data items that say whether the condition holds, by the names devices use. */
const STATE_ITEMS = [
  'IsMotion',
  'State',
  'Motion',
  'IsInside',
  'IsTamper',
  'IsCrossed',
  'active',
  'state',
  'LogicalState',
  'Value',
];
/** Source items that name the video source, preferred in this order. */
const SOURCE_ITEMS = [
  'VideoSourceConfigurationToken',
  'VideoSourceToken',
  'Source',
  'VideoSource',
  'InputToken',
  'sensor',
];

const TRUE = new Set(['true', '1', 'active', 'on']);
const FALSE = new Set(['false', '0', 'inactive', 'off']);

export function parseOnvif(input: string | Uint8Array, options: ParseOptions): ParseResult {
  const size = byteSize(input);
  if (size > ONVIF_MAX_BYTES)
    return {
      ok: false,
      problems: [{ path: '', message: `message too large: ${size} bytes, at most ${ONVIF_MAX_BYTES}` }],
    };
  const tree = readXmlTree(input, ONVIF_MAX_BYTES);
  if (!tree.ok) return { ok: false, problems: [{ path: '', message: tree.message }] };
  const root = tree.root;
  let messages: XmlNode[];
  if (root.local === 'MetadataStream') {
    messages = childrenNamed(root, 'Event').flatMap((e) => childrenNamed(e, 'NotificationMessage'));
  } else {
    const body = root.local === 'Envelope' ? childNamed(root, 'Body') : root;
    const notify = body?.local === 'Notify' ? body : body && childNamed(body, 'Notify');
    if (!notify || notify.ns !== WSNT)
      return {
        ok: false,
        problems: [
          {
            path: '',
            message: `expected a wsnt:Notify (SOAP or bare) or a tt:MetadataStream, not <${root.qname}>`,
          },
        ],
      };
    messages = childrenNamed(notify, 'NotificationMessage');
    if (messages.length === 0)
      return {
        ok: false,
        problems: [{ path: 'Notify', message: 'a Notify carries at least one NotificationMessage' }],
      };
  }
  if (messages.length > ONVIF_MAX_MESSAGES)
    return { ok: false, problems: [{ path: '', message: `more than ${ONVIF_MAX_MESSAGES} messages` }] };

  const problems: Problem[] = [];
  const events: VendorEvent[] = [];
  messages.forEach((m, i) => {
    const r = fromNotification(m, `NotificationMessage[${i}]`, options);
    if ('problems' in r) problems.push(...r.problems);
    else events.push(r);
  });
  // A metadata stream's first chunk is an empty MetadataStream: nothing happened, nothing wrong.
  return problems.length > 0 ? { ok: false, problems } : { ok: true, events };
}

/** `tns1:RuleEngine/CellMotionDetector/Motion` with its prefixes resolved to the usual ones. */
export function normalizeTopic(topic: string, scope: ReadonlyMap<string, string>): string {
  return topic
    .trim()
    .split('/')
    .map((segment) => {
      const colon = segment.indexOf(':');
      if (colon < 0) return segment;
      const ns = scope.get(segment.slice(0, colon));
      const usual = ns ? TOPIC_PREFIXES[ns] : undefined;
      return usual ? `${usual}:${segment.slice(colon + 1)}` : segment;
    })
    .join('/');
}

function simpleItems(parent: XmlNode | undefined): Array<{ name: string; value: string }> {
  if (!parent) return [];
  return childrenNamed(parent, 'SimpleItem').map((s) => ({
    name: s.attrs.Name ?? '',
    value: s.attrs.Value ?? '',
  }));
}

function fromNotification(
  m: XmlNode,
  path: string,
  options: ParseOptions,
): VendorEvent | { problems: Problem[] } {
  const problems: Problem[] = [];
  const topicEl = childNamed(m, 'Topic');
  const rawTopic = topicEl?.text.trim() ?? '';
  if (!topicEl || rawTopic === '') problems.push({ path: `${path}.Topic`, message: 'required' });
  const topic = topicEl ? normalizeTopic(rawTopic, topicEl.scope) : '';
  if (topic) problems.push(...textIssues(topic, 256, `${path}.Topic`));

  const producerRef = childNamed(m, 'ProducerReference');
  const producer = producerRef ? childNamed(producerRef, 'Address')?.text.trim() : undefined;
  if (!producer)
    problems.push({
      path: `${path}.ProducerReference.Address`,
      message: 'required: it is how the camera is found (its onvif.producer link)',
    });
  else problems.push(...textIssues(producer, 1000, `${path}.ProducerReference.Address`));

  const message = childNamed(m, 'Message');
  // tt:Message inside wsnt:Message; some devices put Source/Data straight into wsnt:Message.
  const tt = message && (childNamed(message, 'Message') ?? message);
  if (!tt) problems.push({ path: `${path}.Message`, message: 'required' });

  const operation = tt?.attrs.PropertyOperation;
  if (operation !== undefined && !['Initialized', 'Changed', 'Deleted'].includes(operation))
    problems.push({
      path: `${path}.Message.PropertyOperation`,
      message: 'must be Initialized, Changed or Deleted',
    });

  let observedMs = options.receivedAt;
  const utc = tt?.attrs.UtcTime;
  if (utc !== undefined) {
    const t = deviceTimeMs(utc, 0);
    if (t.ok) observedMs = t.ms;
    else problems.push({ path: `${path}.Message.UtcTime`, message: t.message });
  }

  const source = tt ? simpleItems(childNamed(tt, 'Source')) : [];
  const data = tt ? simpleItems(childNamed(tt, 'Data')) : [];
  for (const [list, name] of [
    [source, 'Source'],
    [data, 'Data'],
  ] as const)
    list.forEach((item, j) => {
      problems.push(...textIssues(item.name, 128, `${path}.Message.${name}.SimpleItem[${j}].Name`));
      if (item.value !== '')
        problems.push(
          ...textIssues(item.value, 200, `${path}.Message.${name}.SimpleItem[${j}].Value`).filter(
            (p) => !/visible/.test(p.message),
          ),
        );
    });
  if (problems.length > 0) return { problems };

  const sourceItem =
    SOURCE_ITEMS.map((n) => source.find((s) => s.name === n)).find((s) => s && s.value !== '') ??
    source.find((s) => s.value !== '');
  const stateItem = STATE_ITEMS.map((n) => data.find((d) => d.name === n)).find(Boolean);
  const stateValue = stateItem?.value.trim().toLowerCase();
  // No recognisable state item: the event is a pulse (it happened), so active.
  const active = stateValue === undefined ? true : TRUE.has(stateValue) ? true : !FALSE.has(stateValue);

  const onvif: { producer: string; source?: string } = { producer: producer! };
  if (sourceItem) onvif.source = sourceItem.value;
  return {
    vendor: 'onvif',
    device: { onvif },
    kind: operation === 'Initialized' ? 'state' : 'alarm',
    vendorType: topic,
    active: operation === 'Deleted' ? false : active,
    observedAt: iso(observedMs),
  };
}
