/**
 * A CDK cloud assembly (`cdk.out`, what `cdk synth` or `App.synth()` writes): each stack's
 * `<Stack>.template.json` is a CloudFormation template (read by the `cdk` reader, resources named by
 * their construct path); the rest is the assembly's own bookkeeping, recognized so that walking the
 * directory reports it neither as a bad event nor as a template.
 */

/** `manifest.json`, `tree.json`, `cdk.out`, `<Stack>.assets.json`, `<Stack>.metadata.json`, asset folders. */
export function isCdkAssemblyFile(path: string): boolean {
  const parts = path.split(/[\\/]/);
  const name = parts[parts.length - 1] ?? '';
  const inAssembly = parts.some((p) => p === 'cdk.out' || /^assembly-/.test(p));
  if (parts.slice(0, -1).some((p) => /^asset\./.test(p)) && inAssembly) return true;
  return (
    (inAssembly && (name === 'manifest.json' || name === 'tree.json' || name === 'cdk.out')) ||
    /\.(assets|metadata)\.json$/.test(name) ||
    (inAssembly && name === 'validation-report.json')
  );
}
