/**
 * The dependency direction of docs/ARCHITECTURE.md, checked from the imports: every static, dynamic and
 * type-only import of every file under shared/, functions/, cli/ and scripts/ must point at its own
 * module or one stated before it, and no set of files may import each other in a cycle. The order is read
 * from the document's "Dependency direction" line, so the document and this test cannot drift apart.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..', '..');
const ROOTS = ['shared', 'functions', 'cli', 'scripts'];
/** Top-level folders named as such in the order; any other name is a module of shared/. */
const TOP_LEVEL = new Set(['functions', 'functions/edge', 'cli', 'scripts']);

/** The order of docs/ARCHITECTURE.md, lowest first, as repository paths (`model` -> `shared/model`). */
function statedOrder(markdown: string): string[] {
  const line = markdown.split('\n').find((l) => l.startsWith('**Dependency direction**'));
  const chain = line && /`([^`]+)`/.exec(line)?.[1];
  if (!chain) throw new Error('docs/ARCHITECTURE.md has no "**Dependency direction**: `a <- b <- ...`" line');
  return chain.split('<-').map((s) => {
    const name = s.trim();
    return TOP_LEVEL.has(name) ? name : `shared/${name}`;
  });
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(path.split(sep).join('/'));
  }
  return out;
}

interface Import {
  readonly specifier: string;
  /** Repository path of the imported file. */
  readonly target: string;
  /** `import type` / `export type` (or only type specifiers): no edge at run time. */
  readonly typeOnly: boolean;
}

/** The repository files a file imports (static, dynamic and type-only; packages and node: builtins left out). */
function importsOf(file: string, text: string): Import[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const found: { specifier: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const clause = ts.isImportDeclaration(node) ? node.importClause : undefined;
      const bindings = clause?.namedBindings;
      const typeOnly = ts.isImportDeclaration(node)
        ? Boolean(
            clause &&
            (clause.isTypeOnly ||
              (!clause.name &&
                bindings &&
                ts.isNamedImports(bindings) &&
                bindings.elements.length > 0 &&
                bindings.elements.every((e) => e.isTypeOnly))),
          )
        : node.isTypeOnly;
      found.push({ specifier: node.moduleSpecifier.text, typeOnly });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found
    .filter((i) => i.specifier.startsWith('.'))
    .map(({ specifier, typeOnly }) => {
      const base = resolve(ROOT, dirname(file), specifier);
      const candidates = [base, `${base}.ts`, `${base}.mts`, join(base, 'index.ts')];
      const hit = candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? base;
      return { specifier, target: relative(ROOT, hit).split(sep).join('/'), typeOnly };
    });
}

/** The module of a file: the longest stated prefix (`functions/edge/env.ts` -> `functions/edge`). */
function moduleOf(file: string, order: readonly string[]): string | undefined {
  return [...order].sort((a, b) => b.length - a.length).find((m) => file === m || file.startsWith(`${m}/`));
}

/** Import edges against the order, as readable lines. */
function violations(
  files: readonly { file: string; imports: readonly Pick<Import, 'specifier' | 'target'>[] }[],
  order: readonly string[],
): string[] {
  const rank = new Map(order.map((m, i) => [m, i]));
  const out: string[] = [];
  for (const { file, imports } of files) {
    const from = moduleOf(file, order);
    if (from === undefined) {
      out.push(`${file}: its module is not in the stated order (docs/ARCHITECTURE.md)`);
      continue;
    }
    for (const { specifier, target } of imports) {
      if (target.endsWith('.json')) continue; // data (infra/event-patterns.json), not a module
      const to = moduleOf(target, order);
      if (to === undefined)
        out.push(`${file} imports '${specifier}' (${target}): outside every stated module`);
      else if (rank.get(to)! > rank.get(from)!)
        out.push(
          `${file} imports '${specifier}': ${from} must not depend on ${to} (stated: ${to} <- ${from})`,
        );
    }
  }
  return out;
}

/** Every cycle of the file graph (strongly connected components of more than one file, or a self-import). */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

const order = statedOrder(readFileSync(join(ROOT, 'docs', 'ARCHITECTURE.md'), 'utf8'));
const files = ROOTS.flatMap(sourceFiles).map((file) => ({
  file,
  imports: importsOf(file, readFileSync(join(ROOT, file), 'utf8')),
}));

describe('the dependency direction of docs/ARCHITECTURE.md', () => {
  it('names every module of shared/ once, in one line', () => {
    // A folder with source files is a module (an empty folder left behind by a move is not).
    const modules = readdirSync(join(ROOT, 'shared')).filter(
      (d) => statSync(join(ROOT, 'shared', d)).isDirectory() && sourceFiles(`shared/${d}`).length > 0,
    );
    expect(new Set(order).size).toBe(order.length);
    expect(order.filter((m) => m.startsWith('shared/')).sort()).toEqual(
      modules.map((m) => `shared/${m}`).sort(),
    );
  });

  it('every import points at its own module or one stated before it', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(violations(files, order)).toEqual([]);
  });

  it('no files import each other in a cycle at run time', () => {
    // Type-only imports are left out: they vanish at build time (a type may name its implementation).
    const graph = new Map(
      files.map((f) => [f.file, f.imports.filter((i) => !i.typeOnly).map((i) => i.target)]),
    );
    expect(cycles(graph)).toEqual([]);
  });
});

describe('framework glue stays at the edge', () => {
  it('no file of shared/ imports middy or the Powertools Logger and Metrics (functions/edge does)', () => {
    const glue = /^(@middy\/|@aws-lambda-powertools\/(logger|metrics))/;
    const offending = ROOTS.filter((r) => r === 'shared')
      .flatMap(sourceFiles)
      .flatMap((file) =>
        ts
          .preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true)
          .importedFiles.filter((i) => glue.test(i.fileName))
          .map((i) => `${file} imports ${i.fileName}`),
      );
    expect(offending).toEqual([]);
  });
});

describe('functions/*.ts', () => {
  const handlers = readdirSync(join(ROOT, 'functions')).filter((f) => f.endsWith('.ts'));

  it.each(handlers)(
    '%s has the one short shape: `export const handler = lambda(<factory from ./edge>)`',
    (name) => {
      const file = `functions/${name}`;
      const text = readFileSync(join(ROOT, file), 'utf8');
      expect(text).toMatch(/^export const handler = lambda\(/m);
      expect(text.split('\n').length).toBeLessThanOrEqual(20);
      // Static imports only from the edge; the library is reached through it (or lazily, by a loader).
      const statics = importsOf(file, text).filter((i) => !text.includes(`import('${i.specifier}')`));
      expect(statics.filter((i) => !i.target.startsWith('functions/edge/'))).toEqual([]);
    },
  );
});

describe('the checker itself', () => {
  const stated = ['shared/model', 'shared/events', 'shared/pipeline', 'functions/edge', 'functions'];

  it('reads static, dynamic and type-only imports, not the ones in comments', () => {
    const text = [
      "import type { A } from '../model/a';",
      "import { type E } from '../model/e';",
      "// import { B } from '../pipeline/b';",
      "export { C } from './c';",
      "const d = () => import('../pipeline/pipeline');",
      "import { readFileSync } from 'node:fs';",
    ].join('\n');
    expect(importsOf('shared/events/x.ts', text).map((i) => [i.specifier, i.typeOnly])).toEqual([
      ['../model/a', true],
      ['../model/e', true],
      ['./c', false],
      ['../pipeline/pipeline', false],
    ]);
  });

  it('names the offending import of an edge against the direction, and a file outside every module', () => {
    expect(
      violations(
        [
          {
            file: 'shared/events/parse.ts',
            imports: [{ specifier: '../model/arn', target: 'shared/model/arn.ts' }],
          },
          {
            file: 'shared/events/normalize.ts',
            imports: [{ specifier: '../pipeline/types', target: 'shared/pipeline/types.ts' }],
          },
          { file: 'shared/extra/x.ts', imports: [] },
          {
            file: 'functions/sweep.ts',
            imports: [{ specifier: './edge/sweep-handler', target: 'functions/edge/sweep-handler.ts' }],
          },
        ],
        stated,
      ),
    ).toEqual([
      "shared/events/normalize.ts imports '../pipeline/types': shared/events must not depend on shared/pipeline (stated: shared/pipeline <- shared/events)",
      'shared/extra/x.ts: its module is not in the stated order (docs/ARCHITECTURE.md)',
    ]);
  });

  it('finds a cycle of files, and none in a tree', () => {
    const cyclic = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(cycles(cyclic)).toEqual([['a', 'b', 'c']]);
    expect(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', []],
        ]),
      ),
    ).toEqual([]);
  });

  it('reads the order line of the document', () => {
    expect(
      statedOrder('# x\n\n**Dependency direction**: `model <- events <- functions/edge <- cli`\n'),
    ).toEqual(['shared/model', 'shared/events', 'functions/edge', 'cli']);
  });
});
