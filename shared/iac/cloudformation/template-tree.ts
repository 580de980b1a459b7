/**
 * A CloudFormation template's text (JSON or YAML) -> a tree of nodes that keep their line. The `yaml`
 * package reads both (JSON is YAML 1.2); its syntax tree is walked here rather than turned into plain
 * values, so every property keeps its line and the short-form intrinsics (`!Ref X`, `!GetAtt A.B`,
 * `!Sub ...`) become their long form (`{"Ref": "X"}`) exactly as CloudFormation reads them.
 *
 * Hostile inputs: duplicate keys are refused (as CloudFormation does), alias expansion (YAML bombs) and
 * nesting are bounded, and no error message quotes the text (the template may hold a secret).
 */
import type { Alias } from 'yaml';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Node } from 'yaml';
import { IacInputError } from '../errors';

export type Scalar = string | number | boolean | null;

export type TemplateNode =
  | { readonly kind: 'scalar'; readonly value: Scalar; readonly line: number }
  | { readonly kind: 'seq'; readonly items: readonly TemplateNode[]; readonly line: number }
  | {
      readonly kind: 'map';
      /** In document order; each entry's line is its key's line (where the property is written). */
      readonly entries: ReadonlyMap<string, { readonly node: TemplateNode; readonly line: number }>;
      readonly line: number;
    };

export interface TreeLimits {
  /** Nodes after alias expansion: a YAML bomb (a few lines of anchors) would expand to billions. */
  readonly maxNodes: number;
  /** Nesting depth (a template is a few levels deep; an alias to its own ancestor never ends). */
  readonly maxDepth: number;
}

export const DEFAULT_TREE_LIMITS: TreeLimits = { maxNodes: 500_000, maxDepth: 64 };

/** `!GetAtt`, `!Ref`, ...: CloudFormation's short forms, tag -> long-form key. */
const SHORT_FORMS: Readonly<Record<string, string>> = {
  '!Ref': 'Ref',
  '!Condition': 'Condition',
};

function longFormOf(tag: string): string {
  return SHORT_FORMS[tag] ?? `Fn::${tag.slice(1)}`;
}

/** The yaml package's error codes, as a sentence (its messages quote the text). */
const YAML_PROBLEMS: Readonly<Record<string, string>> = {
  DUPLICATE_KEY: 'a key appears twice in the same map (CloudFormation refuses duplicate keys)',
  BAD_ALIAS: 'an alias (*name) names no anchor',
  MULTIPLE_DOCS: 'more than one YAML document (a template is one)',
  TAB_AS_INDENT: 'a tab used for indentation',
};

function problemOf(code: string): string {
  return YAML_PROBLEMS[code] ?? `not valid YAML or JSON (${code.toLowerCase().replace(/_/g, ' ')})`;
}

/** Aliases a template may use before the yaml package's own expansion check (`maxAliasCount`) refuses it. */
const MAX_ALIAS_COUNT = 100;

/**
 * A YAML bomb (anchors of anchors) is refused by the yaml package's expansion count before anything is
 * expanded here; only documents with an alias pay for the check.
 */
function refuseAliasBomb(
  doc: ReturnType<typeof parseDocument>,
  file: string,
  lineOf: (n: Node) => number,
): void {
  let first: Node | undefined;
  visit(doc, {
    Alias(_key, node) {
      first = node;
      return visit.BREAK;
    },
  });
  if (!first) return;
  try {
    doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    throw new IacInputError(
      file,
      `YAML aliases expand beyond ${MAX_ALIAS_COUNT} times the document (an alias bomb?)`,
      lineOf(first),
    );
  }
}

export function parseTemplateTree(
  text: string,
  file: string,
  limits: TreeLimits = DEFAULT_TREE_LIMITS,
): TemplateNode {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
    // Short-form tags are read from the syntax tree below: no custom tag resolution, no warning per tag.
    logLevel: 'silent',
  });
  const error = doc.errors[0];
  if (error) {
    const at = error.pos[0];
    throw new IacInputError(file, problemOf(error.code), lineCounter.linePos(at).line);
  }
  const lineOf = (n: Node | null | undefined): number =>
    n?.range ? lineCounter.linePos(n.range[0]).line : 1;
  refuseAliasBomb(doc, file, lineOf);

  let nodes = 0;
  const walk = (n: unknown, depth: number): TemplateNode => {
    if (++nodes > limits.maxNodes)
      throw new IacInputError(
        file,
        `more than ${limits.maxNodes} values after expanding YAML aliases (an alias bomb?)`,
        isAlias(n) ? lineOf(n) : undefined,
      );
    if (depth > limits.maxDepth)
      throw new IacInputError(file, `nested deeper than ${limits.maxDepth} levels`, lineOf(n as Node));
    if (isAlias(n)) {
      const target = (n as Alias).resolve(doc);
      if (!target) throw new IacInputError(file, problemOf('BAD_ALIAS'), lineOf(n));
      return walk(target, depth + 1);
    }
    const line = lineOf(n as Node);
    let node: TemplateNode;
    if (isMap(n)) {
      const entries = new Map<string, { node: TemplateNode; line: number }>();
      for (const pair of n.items) {
        const key = isScalar(pair.key) ? pair.key.value : undefined;
        if (typeof key !== 'string' && typeof key !== 'number')
          throw new IacInputError(file, 'a map key that is not a string', lineOf(pair.key as Node));
        const value =
          pair.value === null ? { kind: 'scalar' as const, value: null, line } : walk(pair.value, depth + 1);
        entries.set(String(key), { node: value, line: lineOf(pair.key as Node) });
      }
      node = { kind: 'map', entries, line };
    } else if (isSeq(n)) {
      node = { kind: 'seq', items: n.items.map((i) => walk(i, depth + 1)), line };
    } else if (isScalar(n)) {
      const v = n.value;
      const value: Scalar =
        typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null
          ? v
          : typeof v === 'bigint'
            ? Number(v)
            : String(v);
      node = { kind: 'scalar', value, line };
    } else {
      throw new IacInputError(file, 'a value of an unsupported YAML kind', line);
    }
    const tag = (n as Node).tag;
    // `!Ref X` -> { Ref: X }; standard tags (`tag:yaml.org,2002:...`, `!!str`) are not intrinsics.
    if (tag && tag.startsWith('!') && !tag.startsWith('!!'))
      return { kind: 'map', entries: new Map([[longFormOf(tag), { node, line }]]), line };
    return node;
  };
  if (doc.contents === null) throw new IacInputError(file, 'empty document: a template is an object');
  return walk(doc.contents, 0);
}
