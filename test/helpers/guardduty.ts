/**
 * A GuardDuty detector with ECS Runtime Monitoring fully on, in moto: the seeded estates of the sweep
 * tests are about ECS, so their account passes account-ecs-runtime-monitoring-off (the sweep reads the
 * detector whenever it has a GuardDuty client, as `createSweepClients` gives it).
 */
import {
  CreateDetectorCommand,
  GuardDutyClient,
  type GuardDutyClientConfig,
} from '@aws-sdk/client-guardduty';

export async function enableEcsRuntimeMonitoring(config: GuardDutyClientConfig) {
  await new GuardDutyClient(config).send(
    new CreateDetectorCommand({
      Enable: true,
      Features: [
        {
          Name: 'RUNTIME_MONITORING',
          Status: 'ENABLED',
          AdditionalConfiguration: [{ Name: 'ECS_FARGATE_AGENT_MANAGEMENT', Status: 'ENABLED' }],
        },
      ],
    }),
  );
}
