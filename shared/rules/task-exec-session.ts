/**
 * task-exec-session: someone opened an ECS Exec command session in a container. The finding names the
 * caller, the container and whether the session is interactive, never the command's arguments (they may
 * hold secrets): normalization keeps at most the program name.
 */
import { signalRule } from './types';

export const taskExecSession = signalRule({
  family: 'signal',
  id: 'task-exec-session',
  title: 'ECS Exec session opened in a container',
  severity: 'medium',
  resourceType: 'AWS::ECS::Task',
  appliesTo: 'execSession',
  description:
    'A successful CloudTrail `ExecuteCommand`: evidence names the caller, the container and `interactive`, at most the program name of the command, never its arguments.',
  advice:
    'Keep humans out of running containers: debug through logs and the pipeline, and allow ECS Exec only as audited break-glass access.',
  controls: { seeds: ['G-06 Isolate end users from the ECS API through pipelines'] },
  ownFrameworks: { 'nist-800-53-r5': ['AC-17', 'AU-2', 'AC-6'], 'pci-dss-4.0.1': ['7.2.1', '10.2.1.2'] },
  check: (s) => {
    const who = s.caller ?? 'an unknown caller';
    const where = s.container ? `container "${s.container}"` : 'a container';
    const how =
      s.interactive === true ? 'an interactive' : s.interactive === false ? 'a non-interactive' : 'a';
    const program = s.program ? ` running ${s.program}` : '';
    return {
      resource: { type: 'AWS::ECS::Task', arn: s.taskArn },
      evidence: [
        {
          path: 'detail.requestParameters.command',
          message: `${who} opened ${how} command session in ${where}${program}`,
          ...(s.container ? { container: s.container } : {}),
        },
      ],
    };
  },
});
