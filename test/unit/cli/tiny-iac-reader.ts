/** A tiny infrastructure-as-code reader for the dispatch tests (the real readers have their own suites). */
import { taskDefinitionFromShape } from '../../../shared/events/ecs-resources';
import { IacInputError } from '../../../shared/iac/errors';
import type { IacDocument, IacReader } from '../../../shared/iac/types';

/** `tiny: <family> privileged=<bool|?>` on its first line; anything after is padding. */
function tinyDocument(text: string, file: string): IacDocument {
  const m = /^tiny: (\w+) privileged=(true|false|\?)/.exec(text);
  if (!m) throw new IacInputError(file, 'no tiny header', 1);
  const privileged = m[2] === '?' ? undefined : m[2] === 'true';
  const address = `tiny_task.${m[1]}`;
  return {
    form: 'terraform-plan',
    file,
    normalized: {
      event: { id: `iac:${file}`, source: 'guardrail.iac', detailType: 'Terraform plan', time: '' },
      account: '',
      region: '',
      resources: [
        {
          ...taskDefinitionFromShape(
            {
              family: m[1]!,
              containerDefinitions: [{ name: 'app', ...(privileged !== undefined ? { privileged } : {}) }],
            },
            '',
            '',
          ),
          arn: `${file}#${address}`,
          origin: { file, address, line: 1, lines: { 'containerDefinitions[0].privileged': 1 } },
        },
      ],
      signals: [],
      taskDefinitionRefs: [],
    },
    unknown:
      privileged === undefined
        ? [{ address, path: 'containerDefinitions[0].privileged', line: 1, reason: 'unknown after apply' }]
        : [],
  };
}

export const TINY: IacReader = {
  form: 'terraform-plan',
  detect: (_file, head) => head.startsWith('tiny:'),
  read: tinyDocument,
};
export const TINY_YAML: IacReader = {
  form: 'cloudformation',
  detect: (file, head) => /\.ya?ml$/.test(file) && head.startsWith('tiny:'),
  read: (text, file) => ({ ...tinyDocument(text, file), form: 'cloudformation' }),
};

export const TINY_READERS: readonly IacReader[] = [TINY_YAML, TINY];
