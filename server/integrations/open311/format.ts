/**
 * Open311's two formats for every answer: JSON (an array) and XML (a root element of repeated
 * children, the same field names). Errors are the spec's own list, `[{code, description}]` or
 * `<errors><error><code/><description/></error></errors>`, with the HTTP status of the first.
 */
import { escapeXml } from '../../warnings/cap-write.ts';

export type Open311Format = 'json' | 'xml';
export type Open311Error = { code: number; description: string };

type Scalar = string | number | boolean | null | undefined;
type Row = Record<string, Scalar | readonly Row[]>;

const XML_HEAD = '<?xml version="1.0" encoding="utf-8"?>';

function element(name: string, v: Scalar | readonly Row[]): string {
  if (Array.isArray(v)) return `<${name}>${(v as readonly Row[]).map((r) => fields(r)).join('')}</${name}>`;
  if (v === null || v === undefined || v === '') return `<${name}/>`;
  return `<${name}>${escapeXml(String(v))}</${name}>`;
}
const fields = (r: Row): string =>
  Object.entries(r)
    .map(([k, v]) => element(k, v))
    .join('');

/** `<root><item>…</item>…</root>`: the spec's shape (services/service, service_requests/request). */
export function toXml(root: string, item: string, rows: readonly Row[]): string {
  return `${XML_HEAD}<${root}>${rows.map((r) => `<${item}>${fields(r)}</${item}>`).join('')}</${root}>`;
}

/** One object as its own root (a service definition). */
export function objectToXml(root: string, row: Row): string {
  return `${XML_HEAD}<${root}>${fields(row)}</${root}>`;
}

export function errorsBody(format: Open311Format, errors: readonly Open311Error[]): string {
  return format === 'json' ? JSON.stringify(errors) : toXml('errors', 'error', errors);
}

export const CONTENT_TYPE: Record<Open311Format, string> = {
  json: 'application/json; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
};
