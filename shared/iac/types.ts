/**
 * Infrastructure-as-code inputs (shift-left): a reader turns one document (a CloudFormation template, a
 * CDK cloud assembly's template, a Terraform plan) into one normalized event whose resources carry their
 * `origin` (file, address, line of each property), so the same rules, policy and exemptions apply.
 */
import type { NormalizedEvent } from '../events/normalize';

export type IacForm = 'cloudformation' | 'cdk' | 'terraform-plan';

/** A value the reader could not resolve (`Ref`, `Fn::Sub`, `Fn::If`, unknown after apply): never flagged. */
export interface UnknownValue {
  /** The resource's address (logical id, construct path, Terraform address). */
  readonly address: string;
  /** The property's path as the input writes it (`Properties.ContainerDefinitions[0].Privileged`). */
  readonly path: string;
  readonly line?: number;
  /** Why it is unknown, e.g. `Ref: Privileged (a parameter)`, never the value. */
  readonly reason: string;
}

export interface IacDocument {
  readonly form: IacForm;
  readonly file: string;
  /** The document's resources as one event (`event.source` is `guardrail.iac`). */
  readonly normalized: NormalizedEvent;
  /** Values not checked because they are unknown before deploy. */
  readonly unknown: readonly UnknownValue[];
}

export interface IacReader {
  readonly form: IacForm;
  /** Is this input (its file name and the first characters of its text) a document of this form? */
  readonly detect: (file: string, head: string) => boolean;
  /** Throws IacInputError (errors.ts) naming the file, the line and the problem, never a value. */
  readonly read: (text: string, file: string) => IacDocument;
}
