import { formattedValueToString, getValueFormat } from '@grafana/data';

const bytesFormat = getValueFormat('bytes');

/** `2026-11-01 09:00:00` from ISO 8601; `length` 16 drops the seconds. Empty for no date. */
export function dateText(iso: string | null | undefined, length = 19): string {
  return iso ? iso.replace('T', ' ').slice(0, length) : '';
}

/** A size for people: `23.7 KiB`. */
export function bytesText(count: number): string {
  return formattedValueToString(bytesFormat(count));
}
