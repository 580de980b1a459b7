/**
 * The CLI's inputs as byte streams: files, directories (recursive, following symbolic links) and
 * stdin. Only regular files are read: a FIFO, socket or device (`/dev/zero`) is refused, never opened
 * for a blocking read. Every path that cannot be read becomes an error naming it, never a silent skip.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../shared/base/input-text';
import { isAssemblyBookkeeping, isCloudAssembly } from '../shared/iac/cloudformation/cdk';

export type Source =
  | {
      readonly label: string;
      readonly open: () => Promise<AsyncIterable<Uint8Array>>;
      /**
       * Found in a directory by a YAML name: read only when an infrastructure-as-code reader recognises
       * it (a directory of templates also holds workflows and configuration), else skipped like a `.txt`.
       */
      readonly onlyIfRecognised?: true;
    }
  | {
      readonly label: string;
      readonly error: string;
      /** A PATH argument that does not exist (ENOENT, not a dangling link): a usage error, not a bad input. */
      readonly missingPath?: true;
    };

/** What stdin gives: the whole input (tests) or a stream (process.stdin). */
export type StdinSource = Buffer | AsyncIterable<Uint8Array | string>;

/** File names read inside a directory; an explicit PATH is read whatever its name. */
const EVENT_FILE = /\.(json|jsonl|ndjson|json\.gz|jsonl\.gz|gz)$/i;
/** YAML names read inside a directory when a reader recognises the file (a CloudFormation template). */
export const YAML_FILE = /\.(ya?ml|template)$/i;

const code = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? 'error';

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

const notRegular = (st: Stats): string => `not a regular file (${kindOf(st)}): refused`;

function statProblem(err: unknown, viaLink: boolean): string {
  const c = code(err);
  if (c === 'ELOOP') return 'symbolic link loop (ELOOP)';
  if (c === 'ENOENT' && viaLink) return 'dangling symbolic link (ENOENT)';
  return `cannot read (${c})`;
}

async function* bytesOf(buf: Buffer): AsyncGenerator<Uint8Array> {
  if (buf.length) yield buf;
}

/** Open a regular file without blocking: O_NONBLOCK so a FIFO swapped in after stat cannot hang open(). */
async function openRegular(path: string): Promise<AsyncIterable<Uint8Array>> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new InputError(notRegular(st));
  } catch (err) {
    await fh.close();
    throw err;
  }
  return fh.createReadStream({ highWaterMark: 256 * 1024 }); // closes the handle when done or destroyed
}

function fileSource(path: string): Source {
  return { label: path, open: () => openRegular(path) };
}

/** dev:ino of a directory, to notice a symbolic link back to a directory being walked. */
const idOf = (st: Stats): string => `${st.dev}:${st.ino}`;

async function* walk(dir: string, ancestors: ReadonlySet<string>): AsyncGenerator<Source> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    yield { label: dir, error: `cannot read directory (${code(err)})` };
    return;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  // A CDK cloud assembly (cdk.out): its stack templates are read, its manifest, tree and assets are not.
  const assembly = isCloudAssembly(new Set(entries.map((e) => e.name)));
  for (const entry of entries) {
    if (assembly && isAssemblyBookkeeping(entry.name)) continue;
    const p = join(dir, entry.name);
    const isLink = entry.isSymbolicLink();
    const yaml = YAML_FILE.test(entry.name);
    if (!isLink && !entry.isDirectory() && !EVENT_FILE.test(entry.name) && !yaml) continue; // not an input
    let st: Stats;
    try {
      st = await stat(p); // follows links
    } catch (err) {
      yield { label: p, error: statProblem(err, isLink) };
      continue;
    }
    if (st.isDirectory()) {
      const id = idOf(st);
      if (ancestors.has(id)) {
        yield { label: p, error: 'symbolic link loop (links to a directory that contains it): not followed' };
        continue;
      }
      yield* walk(p, new Set([...ancestors, id]));
    } else if (!EVENT_FILE.test(entry.name) && !yaml) continue;
    else if (st.isFile()) yield yaml ? { ...fileSource(p), onlyIfRecognised: true } : fileSource(p);
    else yield { label: p, error: notRegular(st) };
  }
}

/** The sources named by the CLI's PATH arguments, in order (a directory's files sorted by name). */
export async function* sourcesOf(paths: readonly string[], stdin: () => StdinSource): AsyncGenerator<Source> {
  for (const path of paths) {
    if (path === '-') {
      yield {
        label: 'stdin',
        open: () => {
          const s = stdin();
          return Promise.resolve(Buffer.isBuffer(s) ? bytesOf(s) : (s as AsyncIterable<Uint8Array>));
        },
      };
      continue;
    }
    let st: Stats;
    try {
      st = await stat(path);
    } catch (err) {
      const viaLink = await lstat(path).then(
        (l) => l.isSymbolicLink(),
        () => false,
      );
      const missing = code(err) === 'ENOENT' && !viaLink;
      yield {
        label: path,
        error: statProblem(err, viaLink),
        ...(missing ? { missingPath: true as const } : {}),
      };
      continue;
    }
    if (st.isDirectory()) yield* walk(path, new Set([idOf(st)]));
    else if (st.isFile()) yield fileSource(path);
    else yield { label: path, error: notRegular(st) };
  }
}
