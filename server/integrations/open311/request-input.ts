/**
 * `POST requests` of Open311 GeoReport v2 as a case: the form fields (all strings, as
 * `application/x-www-form-urlencoded` sends them) checked, and turned into our intake.
 *
 * This jurisdiction places every case on the grid, so it needs a point: `lat` and `long` are
 * required (the spec lets a server require its own location field; `address_string` alone is
 * refused with a message saying so). Unknown fields are refused by name, including `attribute[…]`
 * (no service has attributes), so a client's typo never silently drops information.
 */
import { z } from 'zod';
import type { IncidentIntake } from '../../../shared/incident.ts';
import { text, truncate } from '../../../shared/text.ts';
import { isServiceCode } from './services.ts';

/** A decimal as a form sends it, e.g. "39.9075", checked for range. */
const coordinate = (name: string, min: number, max: number) =>
  z
    .string({ error: `${name} is required (this jurisdiction locates requests by lat and long)` })
    .trim()
    .regex(/^[+-]?\d{1,3}(\.\d+)?$/, { error: `${name} is a decimal number of degrees` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `${name} is at least ${min}` })
        .max(max, { error: `${name} is at most ${max}` }),
    );

export const Open311RequestForm = z.strictObject({
  api_key: z.string({ error: 'api_key is required' }).min(1, { error: 'api_key is required' }),
  /** Accepted when it is ours; Open311 clients of several cities send it. */
  jurisdiction_id: text.line(128).optional(),
  service_code: z
    .string({ error: 'service_code is required' })
    .refine(isServiceCode, { error: 'service_code is not one of GET services (e.g. fire, traffic)' }),
  lat: coordinate('lat', -90, 90),
  long: coordinate('long', -180, 180),
  address_string: text.plainLine(300).optional(),
  address_id: text.line(128).optional(),
  email: text.line(200).optional(),
  device_id: text.line(200).optional(),
  account_id: text.line(200).optional(),
  first_name: text.line(100).optional(),
  last_name: text.line(100).optional(),
  phone: text.line(50).optional(),
  description: text.multiline(4000).optional(),
  media_url: text
    .line(2000)
    .pipe(z.url({ protocol: /^https?$/, error: 'media_url is an http(s) URL' }))
    .optional(),
});
export type Open311RequestForm = z.infer<typeof Open311RequestForm>;

/** How the reporter's contact and photo are written into the case's description (one line each). */
export const CONTACT = { name: '联系人 ', phone: '电话 ', email: '邮箱 ' } as const;
export const MEDIA_LINE = '图片 ';

/**
 * What of a description `GET requests` shows: the reporter's words and photo, never the contact
 * line (a phone number or an e-mail is for the call back, not for every reader of the list).
 */
export function publicParts(description: string): { text: string; mediaUrl: string } {
  const lines = description.split('\n');
  const contact = (l: string) => Object.values(CONTACT).some((p) => l.startsWith(p));
  const media = lines.find((l) => l.startsWith(MEDIA_LINE));
  return {
    text: lines.filter((l) => !contact(l) && !l.startsWith(MEDIA_LINE)).join('\n'),
    mediaUrl: media ? media.slice(MEDIA_LINE.length) : '',
  };
}

/** The case the request becomes: its title is the description's first line, or the service's name. */
export function intakeFromOpen311(f: Open311RequestForm, serviceName: string): IncidentIntake {
  const firstLine = f.description
    ?.split('\n')
    .find((l) => l.trim())
    ?.trim();
  const who = [f.last_name, f.first_name].filter(Boolean).join('');
  const contact = [
    who && `${CONTACT.name}${who}`,
    f.phone && `${CONTACT.phone}${f.phone}`,
    f.email && `${CONTACT.email}${f.email}`,
  ]
    .filter(Boolean)
    .join(' · ');
  const description = [f.description, f.media_url && `${MEDIA_LINE}${f.media_url}`, contact]
    .filter(Boolean)
    .join('\n');
  return {
    source: 'open311',
    kind: 'case',
    category: f.service_code as IncidentIntake['category'],
    title: truncate(firstLine || serviceName, 200),
    ...(description ? { description: truncate(description, 5000) } : {}),
    location: { lat: f.lat, lng: f.long },
    ...(f.address_string ? { address: f.address_string } : {}),
  };
}

/** `GET requests` query: ids (comma-separated), service, window and status (open, closed or both). */
export const Open311RequestQuery = z.strictObject({
  api_key: z.string().optional(),
  jurisdiction_id: text.line(128).optional(),
  service_request_id: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(text.id(128)).max(100, { error: 'at most 100 service_request_ids' }))
    .optional(),
  service_code: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().refine(isServiceCode, { error: 'service_code is not one of GET services' })))
    .optional(),
  start_date: z.iso
    .datetime({
      offset: true,
      error: 'start_date is a w3 date-time with a zone, e.g. 2026-07-18T10:30:00+08:00',
    })
    .optional(),
  end_date: z.iso.datetime({ offset: true, error: 'end_date is a w3 date-time with a zone' }).optional(),
  status: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()))
    .pipe(z.array(z.enum(['open', 'closed'], { error: 'status is open, closed or both (open,closed)' })))
    .optional(),
});
export type Open311RequestQuery = z.infer<typeof Open311RequestQuery>;
