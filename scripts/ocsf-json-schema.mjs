// Build the JSON Schema (draft-07, what the ajv devDependency validates) of one OCSF event class from a checkout
// of the OCSF schema repository (github.com/ocsf/ocsf-schema at a release tag), as the OCSF schema server
// resolves it: the class's `extends` chain up to base_event, `$include`d files and profiles, the dictionary's
// attribute types and enums, and every object reachable from the class as a definition. Used to vendor
// test/fixtures/ocsf/ (see the README there):
//
//   node scripts/ocsf-json-schema.mjs <ocsf-schema-checkout> compliance_finding > FILE
//
// Kept deliberately strict where it costs nothing: required attributes, no attribute the class does not
// define (`additionalProperties: false`, `unmapped` is the class's place for extras), enums of the `_id`
// attributes, the class's own class_uid / category_uid / type_uid. Type regexes are applied as `pattern`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const [root, className] = process.argv.slice(2);
if (!root || !className) {
  console.error('usage: node scripts/ocsf-json-schema.mjs <ocsf-schema-checkout> <class name>');
  process.exit(3);
}

const read = (p) => JSON.parse(readFileSync(join(root, p), 'utf8'));
function byName(dir) {
  const out = new Map();
  const walk = (d) => {
    for (const f of readdirSync(join(root, d))) {
      const p = join(d, f);
      if (statSync(join(root, p)).isDirectory()) walk(p);
      else if (f.endsWith('.json')) {
        const j = read(p);
        if (j.name) out.set(j.name, j);
      }
    }
  };
  walk(dir);
  return out;
}

const dictionary = read('dictionary.json');
const version = read('version.json').version;
const types = dictionary.types.attributes;
const dict = dictionary.attributes;
const categories = read('categories.json').attributes;
const events = byName('events');
const objects = byName('objects');

/** Attribute specs merged key by key (a later spec refines an earlier one; enums are unioned). */
function mergeAttrs(base, over) {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const prev = out[k] ?? {};
    out[k] = { ...prev, ...v, ...(prev.enum || v.enum ? { enum: { ...prev.enum, ...v.enum } } : {}) };
  }
  return out;
}

/** A spec's attributes with its `$include`d files (includes/, profiles/) first. */
function ownAttributes(spec) {
  const { $include = [], ...attrs } = spec.attributes ?? {};
  let out = {};
  for (const inc of [].concat($include)) out = mergeAttrs(out, ownAttributes(read(inc)));
  return mergeAttrs(out, attrs);
}

function resolved(registry, name, seen = new Set()) {
  const spec = registry.get(name);
  if (!spec) throw new Error(`unknown ${registry === events ? 'event class' : 'object'} "${name}"`);
  if (seen.has(name)) throw new Error(`extends cycle at ${name}`);
  seen.add(name);
  const parent = spec.extends ? resolved(registry, spec.extends, seen).attributes : {};
  return { spec, attributes: mergeAttrs(parent, ownAttributes(spec)) };
}

function primitive(typeName) {
  let t = typeName;
  let pattern;
  while (types[t]?.type) {
    pattern ??= types[t].regex;
    t = types[t].type;
  }
  const base = {
    boolean_t: { type: 'boolean' },
    integer_t: { type: 'integer' },
    long_t: { type: 'integer' },
    float_t: { type: 'number' },
    string_t: { type: 'string' },
    json_t: {},
  }[t];
  if (!base) return undefined;
  if (pattern && base.type === 'string') {
    try {
      new RegExp(pattern);
      return { ...base, pattern };
    } catch {
      return base;
    }
  }
  return base;
}

const definitions = {};
const pending = [];

function attributeSchema(key, spec) {
  const d = { ...dict[key], ...spec, enum: spec.enum ?? dict[key]?.enum };
  if (!d.type) throw new Error(`attribute "${key}" has no type in the dictionary`);
  let s;
  if (d.type === 'object') s = { type: 'object' };
  else if (types[d.type] || d.type.endsWith('_t')) {
    s = primitive(d.type) ?? {};
    const keys = d.enum ? Object.keys({ ...dict[key]?.enum, ...d.enum }) : [];
    if (keys.length && s.type === 'integer') s = { ...s, enum: keys.map(Number) };
  } else {
    if (!definitions[d.type] && !pending.includes(d.type)) pending.push(d.type);
    s = { $ref: `#/definitions/${d.type}` };
  }
  return d.is_array ? { type: 'array', items: s } : s;
}

function objectSchema(attributes) {
  const properties = {};
  const required = [];
  for (const [k, spec] of Object.entries(attributes).sort(([a], [b]) => a.localeCompare(b))) {
    properties[k] = attributeSchema(k, spec);
    if (spec.requirement === 'required') required.push(k);
  }
  return {
    type: 'object',
    properties,
    ...(required.length ? { required } : {}),
    additionalProperties: false,
  };
}

const cls = resolved(events, className);
const categoryUid = categories[cls.spec.category]?.uid;
if (categoryUid === undefined) throw new Error(`class ${className} has no category uid`);
const classUid = categoryUid * 1000 + cls.spec.uid;
const schema = objectSchema(cls.attributes);
const activities = Object.keys(schema.properties.activity_id?.enum ? cls.attributes.activity_id.enum : {})
  .concat(Object.keys(dict.activity_id?.enum ?? {}))
  .map(Number);
schema.properties.class_uid = { type: 'integer', enum: [classUid] };
schema.properties.category_uid = { type: 'integer', enum: [categoryUid] };
schema.properties.type_uid = {
  type: 'integer',
  enum: [...new Set(activities)].sort((a, b) => a - b).map((a) => classUid * 100 + a),
};

while (pending.length) {
  const name = pending.shift();
  if (definitions[name]) continue;
  definitions[name] = {}; // placeholder: recursive references
  definitions[name] = objectSchema(resolved(objects, name).attributes);
}

process.stdout.write(
  `${JSON.stringify(
    {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: `ocsf-${version}/classes/${className}`,
      title: `OCSF ${version} ${cls.spec.caption} (class_uid ${classUid})`,
      ...schema,
      definitions: Object.fromEntries(Object.entries(definitions).sort(([a], [b]) => a.localeCompare(b))),
    },
    null,
    2,
  )}\n`,
);
