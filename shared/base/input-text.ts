/**
 * Bytes -> text chunks: gzip (detected by its magic bytes, as CloudTrail delivers `.json.gz`) is
 * inflated as a stream with a cap on the inflated size, so a gzip bomb fails fast with bounded memory;
 * UTF-8 is decoded as a stream (a leading byte-order mark is dropped).
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GuardrailError } from './errors';

/** A bad input: the message names the problem (and a limit), never the content. */
export class InputError extends GuardrailError {
  override readonly name = 'InputError';
}

const toBuffer = (c: Uint8Array | string): Buffer =>
  typeof c === 'string' ? Buffer.from(c) : Buffer.from(c.buffer, c.byteOffset, c.byteLength);

function human(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB'];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && n % 1024 === 0 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${n.toLocaleString('en-US')} ${units[u]}`;
}

async function* prepend(first: Buffer, rest: AsyncIterator<Uint8Array | string>): AsyncGenerator<Buffer> {
  if (first.length) yield first;
  for (;;) {
    const r = await rest.next();
    if (r.done) return;
    yield toBuffer(r.value);
  }
}

async function* inflate(bytes: AsyncIterable<Buffer>, maxInflatedBytes: number): AsyncGenerator<Buffer> {
  const source = Readable.from(bytes, { objectMode: false });
  const gunzip = createGunzip();
  source.on('error', (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  let total = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxInflatedBytes)
        throw new InputError(
          `gzip inflates past the limit of ${human(maxInflatedBytes)}: refused (a gzip bomb?)`,
        );
      yield chunk;
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`cannot read gzip (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  } finally {
    source.destroy();
    gunzip.destroy();
  }
}

/** Text chunks of `bytes`, inflated when gzipped. Throws InputError for a bad or oversized stream. */
export async function* textOf(
  bytes: AsyncIterable<Uint8Array | string>,
  maxInflatedBytes: number,
): AsyncGenerator<string> {
  const it = bytes[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  let ended = false;
  try {
    // Two bytes decide gzip or not; a pipe may deliver them one at a time.
    while (head.length < 2) {
      const r = await it.next();
      if (r.done) {
        ended = true;
        break;
      }
      head = Buffer.concat([head, toBuffer(r.value)]);
    }
  } catch (err) {
    throw new InputError(`cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  const rest: AsyncIterator<Uint8Array | string> = ended
    ? { next: () => Promise.resolve({ done: true, value: undefined }) }
    : it;
  const raw = prepend(head, rest);
  const decoder = new TextDecoder('utf-8');
  try {
    for await (const chunk of gzip ? inflate(raw, maxInflatedBytes) : raw) {
      const text = decoder.decode(chunk, { stream: true });
      if (text) yield text;
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  } finally {
    await it.return?.();
  }
  const tail = decoder.decode();
  if (tail) yield tail;
}
