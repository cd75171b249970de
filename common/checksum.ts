// The one notation for a model checksum that users see (stdout, logs, reports, errors): the CRC-32 as
// 8 hexadecimal digits, e.g. 6b1df4e6. The wire protocol and the journal keep the number.
export function formatChecksum(crc: number): string {
  return (crc >>> 0).toString(16).padStart(8, '0');
}
