import { Readable } from 'node:stream';

/** Lines are gathered into chunks of about this many characters before they are written. */
const CHUNK_CHARS = 64 * 1024;

/** `records` as NDJSON text chunks (one JSON document per line), produced as they are read. */
function* ndjsonChunks(records: Iterable<unknown>): Generator<string, void, undefined> {
  let chunk = '';
  for (const record of records) {
    chunk += `${JSON.stringify(record)}\n`;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * A stream of `records` as NDJSON that pulls from the iterable only as fast as it is read, so a
 * request body or a file can be fed from a generator without the records ever being held together.
 */
export function ndjsonStream(records: Iterable<unknown>): Readable {
  return Readable.from(ndjsonChunks(records), { objectMode: false });
}
