/**
 * A CDK cloud assembly (`cdk.out`, what `cdk synth` or `App.synth()` writes): each stack's
 * `<Stack>.template.json` is a CloudFormation template (read by the `cdk` reader, resources named by
 * their construct path); the rest is the assembly's own bookkeeping, recognized so that walking the
 * directory reports it neither as a bad event nor as a template.
 */

/** A directory is a cloud assembly (top level or nested `assembly-*`) when it has both of these. */
export function isCloudAssembly(entryNames: ReadonlySet<string>): boolean {
  return entryNames.has('manifest.json') && entryNames.has('cdk.out');
}

/**
 * An entry of a cloud assembly that is not a stack template: `manifest.json`, `tree.json`, the `cdk.out`
 * version file, `<Stack>.assets.json`, `<Stack>.metadata.json`, `validation-report.json`, and the assets
 * (`asset.<hash>` folders and files: Lambda code, Docker contexts, whatever they hold).
 */
export function isAssemblyBookkeeping(name: string): boolean {
  return (
    name === 'manifest.json' ||
    name === 'tree.json' ||
    name === 'cdk.out' ||
    name === 'validation-report.json' ||
    /\.(assets|metadata)\.json$/.test(name) ||
    /^asset\./.test(name)
  );
}
