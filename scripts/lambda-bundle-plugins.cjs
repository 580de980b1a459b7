// esbuild plugins of `npm run package` (serverless.yml custom.esbuild.plugins; serverless-esbuild requires
// this file and calls it with the Serverless instance). Why: BENCHMARKS.md "Lambda functions".
//
// 1. Chunks per function. The bundles are ESM with code splitting, so what a function loads only on
//    first use (enricher, remediation, notification clients, the YAML parser) stays out of its cold
//    start. serverless-esbuild builds every function into the same directory and would put every
//    function's chunks into every zip; files under `__only_<function>/` go to that function's zip only
//    (prefix removed), so each build writes its chunks there.
// 2. The policy as JSON. `guardrail.policy.yml` is converted to `guardrail.policy.json` in every zip
//    (provider.environment.GUARDRAIL_POLICY_FILE): the event functions then read it without loading the
//    YAML parser. It is validated by the functions as before; a YAML syntax error fails the package.
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { parse } = require('yaml');

const ONLY_PREFIX = '__only_';
const POLICY_SOURCE = 'guardrail.policy.yml';
const POLICY_PACKAGED = 'guardrail.policy.json';

/** The functions (aliases) whose handler lives in each entry file (path without extension). */
function functionsByEntry(serverless) {
  const byEntry = new Map();
  for (const [alias, fn] of Object.entries(serverless.service.functions ?? {})) {
    if (!fn.handler) continue;
    const entry = path.normalize(fn.handler.slice(0, fn.handler.lastIndexOf('.')));
    byEntry.set(entry, [...(byEntry.get(entry) ?? []), alias]);
  }
  return byEntry;
}

/** serverless-esbuild builds each entry with outdir = <build dir>/<directory of the entry>. */
function buildDirOf(options) {
  const entryDir = path.dirname(path.normalize(String(options.entryPoints[0])));
  return entryDir === '.' ? options.outdir : options.outdir.slice(0, -entryDir.length - 1);
}

module.exports = (serverless) => {
  const serviceDir = serverless.serviceDir ?? serverless.config.servicePath;
  const byEntry = functionsByEntry(serverless);
  return [
    {
      name: 'guardrail-per-function-chunks',
      setup(build) {
        const options = build.initialOptions;
        const entry = path.normalize(String(options.entryPoints[0]));
        const base = entry.slice(0, -path.extname(entry).length);
        const aliases = byEntry.get(base) ?? [];
        if (aliases.length === 0) throw new Error(`${entry}: no function of serverless.yml has this handler`);
        options.write = false; // written below: the entry in place, the chunks per function
        options.metafile = true;
        build.onEnd((result) => {
          if (result.errors.length) return;
          const cwd = options.absWorkingDir ?? process.cwd();
          const buildDir = buildDirOf(options);
          const bundle = path.resolve(buildDir, base + (options.outExtension?.['.js'] ?? '.js'));
          // Only what the handler can load: esbuild also emits chunks for dynamic imports it removed as dead
          // code (e.g. a browser-only user-agent parser), which no file imports.
          const outputs = result.metafile.outputs;
          const reached = new Set([path.relative(cwd, bundle)]);
          for (const out of reached)
            for (const i of outputs[out]?.imports ?? []) if (outputs[i.path]) reached.add(i.path);
          for (const file of result.outputFiles ?? []) {
            if (!reached.has(path.relative(cwd, file.path))) continue;
            const rel = path.relative(buildDir, file.path);
            const targets =
              path.resolve(file.path) === bundle
                ? [file.path]
                : aliases.map((alias) => path.join(buildDir, `${ONLY_PREFIX}${alias}`, rel));
            for (const target of targets) {
              mkdirSync(path.dirname(target), { recursive: true });
              writeFileSync(target, file.contents);
            }
          }
        });
      },
    },
    {
      name: 'guardrail-policy-json',
      setup(build) {
        build.onEnd((result) => {
          if (result.errors.length) return;
          const buildDir = buildDirOf(build.initialOptions);
          const doc = parse(readFileSync(path.join(serviceDir, POLICY_SOURCE), 'utf8'));
          writeFileSync(path.join(buildDir, POLICY_PACKAGED), `${JSON.stringify(doc, null, 2)}\n`);
        });
      },
    },
  ];
};
