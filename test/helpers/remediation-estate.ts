/**
 * The moto world of the remediation integration suites: one moto_server per file whose tasks stay RUNNING
 * (moto otherwise advances a task's state on every DescribeTasks), reset before each test with a fresh
 * state table and a VPC with subnets and a security group.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import {
  createNetwork,
  createStateTable,
  motoClients,
  type MotoClients,
  type Network,
} from '../unit/remediation/helpers';
import { startMoto, type Moto } from './moto';

export interface RemediationEstate {
  readonly moto: Moto;
  readonly aws: MotoClients;
  readonly net: Network;
}

/** Registers the suite's hooks; `use` receives the estate before each test. */
export function useRemediationEstate(use: (estate: RemediationEstate) => void): void {
  let moto: Moto | undefined;
  beforeAll(async () => {
    moto = await startMoto();
    await moto.setTransition('ecs::task', { progression: 'manual', times: 1_000_000 });
  });
  afterAll(async () => {
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto!.reset();
    const aws = motoClients(moto!);
    await createStateTable(aws.dynamodb);
    use({ moto: moto!, aws, net: await createNetwork(aws.ec2) });
  });
}
