/**
 * The shapes of Open311's answers, for the OpenAPI document. The routes send their bodies as
 * text (`format.ts` writes JSON and XML alike), so these describe rather than serialize.
 */
import { z } from 'zod';
import { text } from '../../../shared/text.ts';

export const Open311Error = z.array(z.object({ code: z.number().int(), description: z.string() }));

export const Open311ServiceList = z.array(
  z.object({
    service_code: z.string(),
    service_name: z.string(),
    description: z.string(),
    metadata: z.boolean(),
    type: z.enum(['realtime', 'batch', 'blackbox']),
    keywords: z.string(),
    group: z.string(),
  }),
);

export const Open311ServiceDefinition = z.object({
  service_code: z.string(),
  attributes: z.array(z.never()),
});

export const Open311Receipts = z.array(
  z.object({ service_request_id: z.string(), service_notice: z.string(), account_id: z.string().nullable() }),
);

export const Open311Requests = z.array(
  z.object({
    service_request_id: z.string(),
    status: z.enum(['open', 'closed']),
    status_notes: z.string(),
    service_name: z.string(),
    service_code: z.string(),
    description: z.string(),
    agency_responsible: z.string(),
    service_notice: z.string(),
    requested_datetime: z.string(),
    updated_datetime: z.string(),
    expected_datetime: z.string(),
    address: z.string(),
    address_id: z.string(),
    zipcode: z.string(),
    lat: z.number(),
    long: z.number(),
    media_url: z.string(),
  }),
);

/** The same answer as XML (the spec's root and item elements). */
export const Open311Xml = z.string().describe('the same answer as XML, per GeoReport v2');

/** What a read may carry besides its filters (clients of several cities send both). */
export const Open311ReadQuery = z.strictObject({
  api_key: z.string().optional(),
  jurisdiction_id: text.line(128).optional(),
});
