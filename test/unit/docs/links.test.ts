/**
 * Docs stand alone: every relative markdown link and every `docs/*.md` a file names resolves to a file
 * of the repository, and nothing points at notes that live outside it (a team handbook beside the
 * checkout, its design card, rule contract or reference pages).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..', '..');
const SELF = relative(ROOT, __filename);

const tracked: string[] = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
  .split('\0')
  .filter((f) => f !== '' && existsSync(join(ROOT, f)));
const trackedNames = new Set(tracked.map((f) => basename(f)));

/** Tracked text files (binary and generated lock files left out). */
const texts: { file: string; text: string }[] = tracked
  .filter((f) => f !== 'package-lock.json' && f !== SELF)
  .map((file) => ({ file, text: readFileSync(join(ROOT, file), 'utf8') }))
  .filter(({ text }) => !text.includes('\0'));

const lineOf = (text: string, index: number): number => text.slice(0, index).split('\n').length;

/** `[text](target)` and `[label]: target` outside fenced code blocks, with their line numbers. */
function markdownLinks(text: string): { target: string; line: number }[] {
  const unfenced = text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (block) =>
    block.replace(/[^\n]/g, ' '),
  );
  const links: { target: string; line: number }[] = [];
  for (const m of unfenced.matchAll(
    /\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)|^\s*\[[^\]]+\]:\s*<?(\S+?)>?\s*$/gm,
  ))
    links.push({ target: (m[1] ?? m[2])!, line: lineOf(unfenced, m.index) });
  return links;
}

const isExternal = (target: string): boolean =>
  /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');

describe('links', () => {
  it('finds the tracked markdown files', () => {
    expect(texts.filter(({ file }) => file.endsWith('.md')).length).toBeGreaterThan(10);
  });

  it('every relative markdown link resolves to a file or folder of the repository', () => {
    const dead: string[] = [];
    for (const { file, text } of texts.filter(({ file }) => file.endsWith('.md')))
      for (const { target, line } of markdownLinks(text)) {
        if (isExternal(target) || target.startsWith('#')) continue;
        const path = decodeURIComponent(target.replace(/[#?].*$/, ''));
        const resolved = path.startsWith('/') ? join(ROOT, path) : join(ROOT, dirname(file), path);
        if (!existsSync(resolved)) dead.push(`${file}:${line} -> ${target}`);
      }
    expect(dead).toEqual([]);
  });

  it('every docs/*.md a file names (comments, configuration, prose) exists', () => {
    const dead: string[] = [];
    for (const { file, text } of texts)
      for (const m of text.matchAll(/(?<![\w./-])docs\/[\w./-]+?\.md\b/g))
        if (!existsSync(join(ROOT, m[0]))) dead.push(`${file}:${lineOf(text, m.index)} -> ${m[0]}`);
    expect(dead).toEqual([]);
  });

  it('nothing refers to notes outside the repository (../shared, the handbook, its pages)', () => {
    // The handbook's pages, by the names the code used to cite them; a name is fine once the repository
    // has a file of that name (e.g. a future docs/rules.md).
    const pages = [
      'DESIGN.md',
      'STYLE.md',
      'rules.md',
      'aws-emulator.md',
      'seed-catalog.md',
      'anchors.md',
      'toolchain.md',
    ];
    const forbidden: RegExp[] = [
      /\.\.\/shared(?![\w/-])/g, // the handbook folder itself
      /\.\.\/shared\/(?:DESIGN|STYLE|rules)\.md|\.\.\/shared\/(?:reference|fixtures|hooks)\b/g,
      /\bhandbook\b/gi,
      /\bheld[- ]out notes\b/gi,
      /\breference\/events\.md\b/g,
      ...pages
        .filter((page) => !trackedNames.has(page))
        .map((page) => new RegExp(`(?<![\\w-])${page.replace('.', '\\.')}`, 'g')),
    ];
    const hits: string[] = [];
    for (const { file, text } of texts)
      for (const re of forbidden)
        for (const m of text.matchAll(re)) hits.push(`${file}:${lineOf(text, m.index)}: ${m[0]}`);
    expect(hits).toEqual([]);
  });
});
