/** Every infrastructure-as-code reader, one line each: the CLI asks them in this order. */
import { cdkTemplateReader, cloudFormationReader } from './cloudformation/reader';
import { TERRAFORM_PLAN_READER } from './terraform/reader';
import type { IacReader } from './types';

export const IAC_READERS: readonly IacReader[] = [
  TERRAFORM_PLAN_READER,
  cdkTemplateReader, // before CloudFormation: a CDK template is one, named by construct paths
  cloudFormationReader,
];
