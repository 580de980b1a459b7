/**
 * The CloudFormation reader (shared/iac/cloudformation): public templates nobody on the project wrote
 * (test/fixtures/iac/SOURCES.md), every short-form intrinsic, CloudFormation's coercion, unknown values
 * (never flagged, listed with their line) and hostile templates (size, YAML bombs, duplicate keys, wrong
 * shapes, text built to break a terminal, secrets).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateNormalized } from '../../../shared/engine/run';
import { IacInputError } from '../../../shared/iac/errors';
import { cloudFormationReader, MAX_TEMPLATE_BYTES } from '../../../shared/iac/cloudformation/reader';
import { IAC_READERS } from '../../../shared/iac/readers';
import type { IacDocument } from '../../../shared/iac/types';
import type { Finding } from '../../../shared/model/finding';
import { deps } from '../engine/builders';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'iac', 'cloudformation');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

function read(text: string, file = 'stack.yaml'): IacDocument {
  return cloudFormationReader.read(text, file);
}

async function findingsOf(doc: IacDocument): Promise<Finding[]> {
  return (await evaluateNormalized(doc.normalized, deps())).findings;
}

async function findings(text: string, file = 'stack.yaml'): Promise<Finding[]> {
  return findingsOf(read(text, file));
}

const ids = (fs: readonly Finding[]) => fs.map((f) => `${f.ruleId} ${f.resource.arn}`).sort();

function readError(text: string, file = 'stack.yaml'): IacInputError {
  try {
    read(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(IacInputError);
    return err as IacInputError;
  }
  throw new Error('expected an IacInputError');
}

/** A template with one task definition whose first container has the given properties (YAML lines). */
function taskDefinition(containerLines: string, extra = ''): string {
  return `AWSTemplateFormatVersion: '2010-09-09'
${extra}
Resources:
  TaskDef:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: web
      NetworkMode: awsvpc
      TaskRoleArn: arn:aws:iam::111122223333:role/web
      ContainerDefinitions:
        - Name: web
          Image: public.ecr.aws/nginx/nginx:1.27
          Memory: 512
          User: "1000"
          ReadonlyRootFilesystem: true
          LogConfiguration:
            LogDriver: awslogs
${containerLines
  .split('\n')
  .map((l) => `          ${l}`)
  .join('\n')}
`;
}

describe('public templates', () => {
  it('Fargate public service (aws-cloudformation-templates, YAML): a public IP and no circuit breaker, on the lines that say so', async () => {
    const doc = read(fixture('fargate-public-service.yaml'), 'fargate-public-service.yaml');
    const fs = await findingsOf(doc);
    const publicIp = fs.find((f) => f.ruleId === 'svc-public-ip');
    expect(publicIp?.resource.arn).toBe('fargate-public-service.yaml#Service');
    expect(publicIp?.location).toEqual({
      file: 'fargate-public-service.yaml',
      address: 'Service',
      line: 113,
    });
    expect(fs.map((f) => f.ruleId)).toContain('svc-circuit-breaker-off');
    // `TaskRoleArn: !If [HasCustomRole, !Ref Role, !Ref AWS::NoValue]`: unknown, so td-no-task-role is silent.
    expect(fs.map((f) => f.ruleId)).not.toContain('td-no-task-role');
    expect(doc.unknown).toContainEqual({
      address: 'TaskDefinition',
      path: 'Properties.TaskRoleArn',
      line: 80,
      reason: 'Fn::If: depends on a condition',
    });
    // `Cluster: !ImportValue ...`: unknown, never the default cluster.
    const service = doc.normalized.resources.find((r) => r.kind === 'Service');
    expect(service && 'clusterArn' in service ? service.clusterArn : undefined).toBe('');
    // `Image: !Ref ImageUrl` with `Default: nginx`: the default is what is checked.
    expect(fs.filter((f) => f.ruleId === 'td-mutable-image').map((f) => f.evidence[0]?.line)).toEqual([89]);
  });

  it('the same template as JSON gives the same findings and the same unknown values', async () => {
    const yaml = read(fixture('fargate-public-service.yaml'), 'a');
    const json = read(fixture('fargate-public-service.json'), 'a');
    expect(ids(await findingsOf(json))).toEqual(ids(await findingsOf(yaml)));
    expect(json.unknown.map((u) => [u.address, u.path, u.reason])).toEqual(
      yaml.unknown.map((u) => [u.address, u.path, u.reason]),
    );
    expect((await findingsOf(json)).find((f) => f.ruleId === 'svc-public-ip')?.location?.line).toBe(167);
  });

  it('ecs-refarch product service (no AWSTemplateFormatVersion) is detected; a parameter without Default is unknown', async () => {
    const text = fixture('refarch-product-service.yaml');
    expect(cloudFormationReader.detect('service.yaml', text.slice(0, 4096))).toBe(true);
    const doc = read(text, 'service.yaml');
    expect(doc.unknown).toContainEqual({
      address: 'Service',
      path: 'Properties.Cluster',
      line: 32,
      reason: 'Ref: Cluster (a parameter without a Default)',
    });
    const fs = await findingsOf(doc);
    expect(fs.find((f) => f.ruleId === 'td-network-mode-not-awsvpc')?.location?.line).toBe(41);
    // awslogs with `awslogs-group: !Ref CloudWatchLogsGroup`: logging is on, the group is unknown.
    expect(fs.map((f) => f.ruleId)).not.toContain('td-no-logging');
  });

  it('cluster templates: no verdict on Container Insights left to the account default', async () => {
    for (const name of ['refarch-ecs-cluster.yaml', 'ec2-cluster-public-vpc.yaml']) {
      const doc = read(fixture(name), name);
      const cluster = doc.normalized.resources.find((r) => r.kind === 'Cluster');
      expect(cluster).toMatchObject({
        kind: 'Cluster',
        containerInsightsFromAccount: true,
        account: '',
        region: '',
      });
      expect(await findingsOf(doc)).toEqual([]);
    }
  });

  it('every reader registered: CloudFormation templates are read by the cloudformation reader, not the CDK one', () => {
    const text = fixture('fargate-public-service.json');
    const reader = IAC_READERS.find((r) => r.detect('fargate-public-service.json', text.slice(0, 4096)));
    expect(reader?.form).toBe('cloudformation');
  });
});

describe('detection', () => {
  it('is by content: a format version, or Resources with an AWS:: type', () => {
    expect(cloudFormationReader.detect('x.json', '{"AWSTemplateFormatVersion": "2010-09-09"}')).toBe(true);
    expect(cloudFormationReader.detect('x', 'Resources:\n  A:\n    Type: AWS::ECS::Cluster\n')).toBe(true);
  });

  it('refuses the other inputs: an EventBridge event, a CloudTrail log, a task definition, a Terraform plan', () => {
    const event = readFileSync(
      join(__dirname, '..', '..', '..', 'events', 'cloudtrail-create-service-assign-public-ip.json'),
      'utf8',
    );
    expect(cloudFormationReader.detect('e.json', event.slice(0, 4096))).toBe(false);
    expect(
      cloudFormationReader.detect('log.json', '{"Records": [{"eventSource": "ecs.amazonaws.com"}]}'),
    ).toBe(false);
    expect(cloudFormationReader.detect('td.json', '{"family": "web", "containerDefinitions": []}')).toBe(
      false,
    );
    expect(
      cloudFormationReader.detect(
        'plan.json',
        '{"format_version": "1.2", "resource_changes": [{"type": "aws_ecs_service"}]}',
      ),
    ).toBe(false);
  });
});

describe('detection: templates quoted inside other documents', () => {
  it('a CloudTrail CreateStack record carrying a template body (YAML or JSON) is not a template', () => {
    for (const body of [fixture('fargate-public-service.yaml'), fixture('fargate-public-service.json')]) {
      const event = JSON.stringify(
        {
          version: '0',
          'detail-type': 'AWS API Call via CloudTrail',
          source: 'aws.cloudformation',
          detail: {
            eventSource: 'cloudformation.amazonaws.com',
            eventName: 'CreateStack',
            requestParameters: { stackName: 'web', templateBody: body },
          },
        },
        null,
        2,
      );
      expect(cloudFormationReader.detect('event.json', event.slice(0, 64 * 1024))).toBe(false);
    }
  });

  it('a template with a byte order mark, or whose first key is Description, is one', () => {
    expect(cloudFormationReader.detect('t.json', `\uFEFF${fixture('fargate-public-service.json')}`)).toBe(
      true,
    );
    expect(cloudFormationReader.detect('t.yaml', fixture('refarch-product-service.yaml'))).toBe(true);
    expect(read(`\uFEFF${fixture('fargate-public-service.json')}`).normalized.resources).toHaveLength(2);
  });
});

describe('short-form intrinsics and what is resolved', () => {
  it('resolves !Join, !Select, !FindInMap, !Sub without variables and a parameter Default; the value is flagged where written', async () => {
    const text = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Mode:
    Type: String
    Default: host
Mappings:
  Env:
    prod:
      Privileged: "true"
Resources:
  TaskDef:
    Type: AWS::ECS::TaskDefinition
    Properties:
      NetworkMode: !Ref Mode
      PidMode: !Select [1, [task, host]]
      ContainerDefinitions:
        - Name: !Sub web
          Image: !Join [':', [nginx, latest]]
          Privileged: !FindInMap [Env, prod, Privileged]
`;
    const doc = read(text);
    expect(doc.unknown).toEqual([]);
    const fs = await findings(text);
    const lineOf = (id: string) => fs.find((f) => f.ruleId === id)?.location?.line;
    expect(lineOf('td-host-network')).toBe(14);
    expect(lineOf('td-host-pid')).toBe(15);
    expect(lineOf('td-mutable-image')).toBe(18);
    expect(lineOf('td-privileged')).toBe(19);
    expect(fs.find((f) => f.ruleId === 'td-privileged')?.evidence[0]?.container).toBe('web');
  });

  it('!If with a privileged branch is unknown: not flagged, listed with its line and reason', async () => {
    const text = taskDefinition(
      'Privileged: !If [IsProd, true, false]',
      'Conditions:\n  IsProd: !Equals [!Ref AWS::AccountId, "111122223333"]',
    );
    const doc = read(text);
    expect(doc.unknown).toEqual([
      {
        address: 'TaskDef',
        path: 'Properties.ContainerDefinitions[0].Privileged',
        line: 19,
        reason: 'Fn::If: depends on a condition',
      },
    ]);
    expect((await findingsOf(doc)).map((f) => f.ruleId)).not.toContain('td-privileged');
  });

  it('an unknown value the rule would read as absent is not flagged either (ReadonlyRootFilesystem: !Ref with no Default)', async () => {
    const text = `Parameters:
  ReadOnly:
    Type: String
Resources:
  TaskDef:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: web
          Image: nginx:1.27
          ReadonlyRootFilesystem: !Ref ReadOnly
        - Name: side
          Image: nginx:1.27
`;
    const fs = await findings(text);
    const writable = fs.find((f) => f.ruleId === 'td-writable-root-fs');
    // Only the second container, whose value is known (absent = writable).
    expect(writable?.evidence.map((e) => e.path)).toEqual(['containerDefinitions[1].readonlyRootFilesystem']);
  });

  it('pseudo parameters, !GetAtt, !ImportValue, !Base64, !GetAZs and intrinsics nobody knows are unknown', () => {
    const text = `Resources:
  Role:
    Type: AWS::IAM::Role
  TaskDef:
    Type: AWS::ECS::TaskDefinition
    Properties:
      TaskRoleArn: !GetAtt Role.Arn
      ExecutionRoleArn: !GetAtt [Role, Arn]
      ContainerDefinitions:
        - Name: web
          Image: !Sub "\${AWS::AccountId}.dkr.ecr.eu-west-1.amazonaws.com/web:1"
          User: !ImportValue shared-user
          Command: [!Base64 x, !GetAZs '']
          EntryPoint: [!Frobnicate x]
          WorkingDirectory:
            Fn::Frobnicate: x
`;
    const doc = read(text);
    expect(doc.unknown.map((u) => [u.path, u.reason])).toEqual([
      ['Properties.ContainerDefinitions[0].Image', 'Fn::Sub: a variable known after deploy'],
      ['Properties.ContainerDefinitions[0].User', "Fn::ImportValue: another stack's output"],
      ['Properties.ContainerDefinitions[0].Command[0]', 'Fn::Base64: not resolved before deploy'],
      ['Properties.ContainerDefinitions[0].Command[1]', 'Fn::GetAZs: not resolved before deploy'],
      ['Properties.ContainerDefinitions[0].EntryPoint[0]', 'Fn::Frobnicate: not resolved before deploy'],
      ['Properties.ContainerDefinitions[0].WorkingDirectory', 'Fn::Frobnicate: not resolved before deploy'],
    ]);
    // A role of the template is a reference to it, the same on both: the exec-role rule can compare them.
    const td = doc.normalized.resources[0];
    expect(td && 'taskRoleArn' in td ? [td.taskRoleArn, td.executionRoleArn] : []).toEqual([
      'stack.yaml#Role.Arn',
      'stack.yaml#Role.Arn',
    ]);
  });

  it('a NoEcho parameter default is never read; ${!Literal} stays literal; AWS::NoValue removes the property', async () => {
    const text = `Parameters:
  Token:
    Type: String
    NoEcho: true
    Default: "true"
Resources:
  TaskDef:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: web
          Image: nginx:1.27
          Privileged: !Ref Token
          User: !Ref AWS::NoValue
          Environment:
            - Name: TEMPLATE
              Value: !Sub "\${!NotAVariable}"
`;
    const doc = read(text);
    expect(doc.unknown.map((u) => u.reason)).toEqual(['Ref: Token (a NoEcho parameter)']);
    const td = doc.normalized.resources[0];
    expect(td?.kind === 'TaskDefinition' ? td.containers[0] : undefined).toMatchObject({
      environment: [{ name: 'TEMPLATE', value: '${NotAVariable}' }],
    });
    expect(td?.kind === 'TaskDefinition' ? td.containers[0]?.user : 'x').toBeUndefined();
  });

  it('a list parameter default is a list; an SSM parameter type is unknown (its default is the parameter name)', () => {
    const doc = read(`Parameters:
  Subnets:
    Type: List<AWS::EC2::Subnet::Id>
    Default: subnet-1, subnet-2
  Image:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /team/web/image
Resources:
  Service:
    Type: AWS::ECS::Service
    Properties:
      NetworkConfiguration:
        AwsvpcConfiguration:
          Subnets: !Ref Subnets
  TaskDef:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: web
          Image: !Ref Image
`);
    expect(doc.normalized.resources[0]).toMatchObject({ network: { subnets: ['subnet-1', 'subnet-2'] } });
    expect(doc.unknown.map((u) => [u.path, u.reason])).toEqual([
      ['Properties.ContainerDefinitions[0].Image', 'Ref: Image (an SSM parameter, read at deploy)'],
    ]);
  });

  it('a Transform is listed: a macro may change what is deployed', () => {
    const doc = read(`Transform: AWS::Serverless-2016-10-31\n${taskDefinition('Privileged: false')}`);
    expect(doc.unknown).toContainEqual(
      expect.objectContaining({ address: '(template)', path: 'Transform', line: 1 }),
    );
  });
});

describe("CloudFormation's coercion", () => {
  it('"true"/"false" strings are booleans, numeric strings numbers where CloudFormation takes a number', async () => {
    const fs = await findings(`Resources:
  TaskDef:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Memory: 1024
      ContainerDefinitions:
        - Name: a
          Image: nginx:1.27
          Privileged: "true"
          Memory: "256"
        - Name: b
          Image: nginx:1.27
          Privileged: "false"
          Memory: "128"
  Service:
    Type: AWS::ECS::Service
    Properties:
      EnableExecuteCommand: "true"
      DeploymentConfiguration:
        DeploymentCircuitBreaker:
          Enable: "true"
          Rollback: "true"
`);
    expect(fs.find((f) => f.ruleId === 'td-privileged')?.evidence.map((e) => e.container)).toEqual(['a']);
    expect(fs.map((f) => f.ruleId)).not.toContain('td-no-memory-limit');
    expect(fs.map((f) => f.ruleId)).toContain('svc-exec-enabled');
    expect(fs.map((f) => f.ruleId)).not.toContain('svc-circuit-breaker-off');
  });

  it('numbers and booleans where CloudFormation takes a string are strings (User: 0 is root); YAML 1.1 booleans are read', async () => {
    const text = `Resources:
  TaskDef:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: 1
          Image: nginx:1.27
          User: 0
          Privileged: yes
          ReadonlyRootFilesystem: on
          Environment:
            - Name: DEBUG
              Value: true
`;
    const doc = read(text);
    const td = doc.normalized.resources[0];
    expect(td?.kind === 'TaskDefinition' ? td.containers[0] : undefined).toMatchObject({
      name: '1',
      user: '0',
      privileged: true,
      readonlyRootFilesystem: true,
      environment: [{ name: 'DEBUG', value: 'true' }],
    });
    const fs = await findingsOf(doc);
    expect(fs.find((f) => f.ruleId === 'td-root-user')?.location?.line).toBe(8);
  });

  it('a string that is not a boolean where CloudFormation takes one is refused, named with its line, never quoted', () => {
    const err = readError(taskDefinition('Privileged: "AKIAIOSFODNN7EXAMPLE"'));
    expect(err.message).toBe(
      'stack.yaml:18: Resources.TaskDef.Properties.ContainerDefinitions[0].Privileged: expected boolean, got string',
    );
    expect(err.message).not.toContain('AKIA');
  });
});

describe('the other ECS resource types', () => {
  it('task set, capacity provider and cluster settings map to the event path fields', async () => {
    const fs = await findings(`Resources:
  Cluster:
    Type: AWS::ECS::Cluster
    Properties:
      ClusterName: prod
      ClusterSettings:
        - Name: containerInsights
          Value: disabled
      Configuration:
        ExecuteCommandConfiguration:
          Logging: NONE
  Provider:
    Type: AWS::ECS::CapacityProvider
    Properties:
      AutoScalingGroupProvider:
        AutoScalingGroupArn: arn:aws:autoscaling:eu-west-1:111122223333:autoScalingGroup:1:autoScalingGroupName/asg
  Blue:
    Type: AWS::ECS::TaskSet
    Properties:
      Cluster: !Ref Cluster
      Service: checkout
      TaskDefinition: checkout:1
      NetworkConfiguration:
        AwsvpcConfiguration:
          AssignPublicIp: ENABLED
`);
    const at = (id: string) => fs.find((f) => f.ruleId === id);
    expect(at('cluster-container-insights-disabled')?.location).toEqual({
      file: 'stack.yaml',
      address: 'Cluster',
      line: 8,
    });
    expect(at('cluster-exec-logging-off')?.location?.line).toBe(11);
    expect(at('cp-termination-protection-off')?.resource.arn).toBe('stack.yaml#Provider');
    expect(at('taskset-public-ip')?.location?.line).toBe(25);
  });

  it('a security group opening SSH to the world is flagged on its ingress line, critical when a public service uses it', async () => {
    const text = `Parameters:
  Office:
    Type: String
Resources:
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 0.0.0.0/0
        - IpProtocol: tcp
          FromPort: "22"
          ToPort: 22
          CidrIp: 0.0.0.0/0
        - IpProtocol: tcp
          FromPort: !Ref Office
          ToPort: 3389
          CidrIp: 0.0.0.0/0
  Service:
    Type: AWS::ECS::Service
    Properties:
      NetworkConfiguration:
        AwsvpcConfiguration:
          AssignPublicIp: ENABLED
          SecurityGroups: [!GetAtt Group.GroupId]
`;
    const fs = await findings(text);
    const sg = fs.find((f) => f.ruleId === 'sg-world-open-admin-port');
    expect(sg?.resource.arn).toBe('stack.yaml#Group');
    expect(sg?.severity).toBe('critical');
    // The third rule's FromPort is unknown (a parameter without Default): not flagged, listed.
    expect(sg?.evidence.map((e) => [e.path, e.line])).toEqual([['IpPermissions[1]', 14]]);
    expect(read(text).unknown.map((u) => u.path)).toEqual(['Properties.SecurityGroupIngress[2].FromPort']);
    // A group no workload of the template uses is not checked (the event path reads a workload's groups).
    const unused = text.replace('SecurityGroups: [!GetAtt Group.GroupId]', 'SecurityGroups: [sg-0123]');
    expect((await findings(unused)).map((f) => f.ruleId)).not.toContain('sg-world-open-admin-port');
  });

  it('a cluster setting behind !Ref without Default is unknown, not flagged', async () => {
    const fs = await findings(`Parameters:
  Insights:
    Type: String
Resources:
  Cluster:
    Type: AWS::ECS::Cluster
    Properties:
      ClusterSettings:
        - Name: containerInsights
          Value: !Ref Insights
`);
    expect(fs).toEqual([]);
  });

  it('a service names the cluster and task definition of the template by their template names', () => {
    const doc = read(`Resources:
  Cluster:
    Type: AWS::ECS::Cluster
  TaskDef:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions: []
  Service:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref Cluster
      TaskDefinition: !Ref TaskDef
`);
    expect(doc.normalized.resources.find((r) => r.kind === 'Service')).toMatchObject({
      arn: 'stack.yaml#Service',
      name: 'Service',
      clusterArn: 'stack.yaml#Cluster',
      taskDefinition: 'stack.yaml#TaskDef',
    });
  });
});

describe('hostile templates', () => {
  it("reads a 1 MB template (CloudFormation's limit) and refuses one over the cap, naming sizes only", async () => {
    const base = taskDefinition('Privileged: true');
    const pad = (bytes: number) =>
      `${base}Metadata:\n  Padding: "${'x'.repeat(bytes - Buffer.byteLength(base) - 'Metadata:\n  Padding: ""\n'.length)}"\n`;
    const oneMb = pad(1_000_000);
    expect(Buffer.byteLength(oneMb)).toBe(1_000_000);
    expect((await findings(oneMb)).map((f) => f.ruleId)).toContain('td-privileged');
    const atCap = pad(MAX_TEMPLATE_BYTES);
    expect(() => read(atCap)).not.toThrow();
    const over = pad(MAX_TEMPLATE_BYTES + 1);
    expect(readError(over).message).toBe(
      `stack.yaml: template of ${MAX_TEMPLATE_BYTES + 1} bytes is over the limit of ${MAX_TEMPLATE_BYTES} bytes`,
    );
  });

  it('a YAML alias bomb is refused quickly, before expansion', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const bomb = `AWSTemplateFormatVersion: '2010-09-09'\n${levels.join('\n')}\nResources:\n  TaskDef:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      Family: *j\n`;
    const started = Date.now();
    const err = readError(bomb);
    expect(err.message).toBe(
      'stack.yaml:3: YAML aliases expand beyond 100 times the document (an alias bomb?)',
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('aliases a template may use are read; expansion is also bounded by count when the check is passed', () => {
    const text = `Resources:\n  TaskDef:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - &c {Name: a, Image: "nginx:1", Privileged: true}\n        - *c\n`;
    const doc = read(text);
    const td = doc.normalized.resources[0];
    expect(td?.kind === 'TaskDefinition' ? td.containers.map((c) => c.privileged) : []).toEqual([true, true]);
  });

  it('an alias to its own ancestor is refused', () => {
    const err = readError(`Resources: &r\n  Loop: *r\n`);
    expect(err.problem).toMatch(/alias|nested deeper/);
  });

  it('nesting thousands of levels deep is refused, not a stack overflow', () => {
    const deep = `{"Resources": {"A": {"Type": "AWS::ECS::Cluster", "Properties": ${'['.repeat(5000)}${']'.repeat(5000)}}}}`;
    expect(readError(deep).problem).toMatch(/nested deeper than 64 levels|not valid YAML or JSON/);
    const block = `Resources:\n  A:\n    Type: AWS::ECS::Cluster\n    Properties:\n${Array.from({ length: 200 }, (_, i) => `${' '.repeat(6 + 2 * i)}k${i}:`).join('\n')} 1\n`;
    expect(readError(block).problem).toBe('nested deeper than 64 levels');
  });

  it('wrong JSON types in properties are named with their path and line', () => {
    expect(
      readError('Resources:\n  S:\n    Type: AWS::ECS::Service\n    Properties:\n      Tags: x\n').message,
    ).toBe('stack.yaml:5: Resources.S.Properties.Tags: expected Array, got string');
    expect(
      readError(
        'Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: a\n          Environment: {A: b}\n',
      ).message,
    ).toBe(
      'stack.yaml:7: Resources.T.Properties.ContainerDefinitions[0].Environment: expected Array, got object',
    );
    // Properties that are not a map; a Type that is not a string is not an ECS resource (skipped).
    expect(readError('Resources:\n  C:\n    Type: AWS::ECS::Cluster\n    Properties: 5\n').message).toBe(
      'stack.yaml:4: Resources.C.Properties: expected an object',
    );
    expect(read('Resources:\n  C:\n    Type: [AWS::ECS::Cluster]\n').normalized.resources).toEqual([]);
  });

  it('a required field missing is named after its parent; a free-form map key is never quoted', () => {
    expect(
      readError(
        'Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: a\n          Environment:\n            - Value: x\n',
      ).message,
    ).toBe(
      'stack.yaml:8: Resources.T.Properties.ContainerDefinitions[0].Environment[0] (name): is required (expected "name")',
    );
    const err = readError(
      'Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: a\n          LogConfiguration:\n            Options:\n              AKIAIOSFODNN7EXAMPLE: [x]\n',
    );
    expect(err.message).not.toContain('AKIA');
    expect(err.line).toBe(8);
  });

  it('the guardrail:exempt tag in the template exempts a finding, as on a deployed resource', async () => {
    const fs = await findings(
      taskDefinition('Privileged: true', '').replace(
        '      Family: web\n',
        '      Family: web\n      Tags:\n        - Key: guardrail:exempt\n          Value: td-privileged;until=2099-12-31;reason=SEC-1\n',
      ),
    );
    expect(fs.find((f) => f.ruleId === 'td-privileged')?.exemption).toMatchObject({
      source: 'tag',
      reason: 'SEC-1',
    });
  });

  it('duplicate keys are refused with their line (YAML and JSON), the key not quoted', () => {
    const yaml = readError(
      `Resources:\n  TaskDef:\n    Type: AWS::ECS::TaskDefinition\n  TaskDef:\n    Type: AWS::ECS::Cluster\n`,
    );
    expect(yaml.message).toBe(
      'stack.yaml:4: a key appears twice in the same map (CloudFormation refuses duplicate keys)',
    );
    const json = readError(
      '{"Resources": {\n"A": {"Type": "AWS::ECS::Cluster"},\n"A": {"Type": "AWS::ECS::Cluster"}}}',
      't.json',
    );
    expect(json.line).toBe(3);
  });

  it('a template that is not an object, or has no Resources object, is refused', () => {
    expect(readError('[1, 2]').problem).toBe('a template is an object (a map), not a list or a value');
    expect(readError('"AWSTemplateFormatVersion"').problem).toBe(
      'a template is an object (a map), not a list or a value',
    );
    expect(readError('').problem).toBe('empty document: a template is an object');
    expect(readError('AWSTemplateFormatVersion: "2010-09-09"\nResources: [1]\n').message).toBe(
      'stack.yaml:2: Resources: expected an object of resources',
    );
    expect(readError('Resources:\n  A: 5\n').message).toBe(
      'stack.yaml:2: Resources.A: expected an object with a Type',
    );
  });

  it('ContainerDefinitions that is an object, not a list, is an invalid property named with its line', () => {
    const err = readError(`Resources:
  TaskDef:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        Name: web
        Image: nginx
`);
    expect(err.message).toBe(
      'stack.yaml:5: Resources.TaskDef.Properties.ContainerDefinitions: expected Array, got object',
    );
  });

  it('a logical id built to break a terminal is never shown; the resource is still checked', async () => {
    const evil = 'Evil\u001b[2J\u001b]8;;http://x\u0007<b>';
    const template = (second: unknown) =>
      JSON.stringify({
        Resources: {
          [evil]: {
            Type: 'AWS::ECS::TaskDefinition',
            Properties: { ContainerDefinitions: [{ Name: 'web', Image: 'nginx:1', Privileged: true }] },
          },
          [`${evil}2`]: { Type: 'AWS::ECS::TaskDefinition', Properties: { ContainerDefinitions: second } },
        },
      });
    const fs = await findings(template([]));
    expect(fs.find((f) => f.ruleId === 'td-privileged')?.resource.arn).toBe(
      'stack.yaml#(resource 1: logical id not shown)',
    );
    expect(JSON.stringify(fs)).not.toMatch(/\\u00|<b>/);
    expect(readError(template('x')).message).toBe(
      'stack.yaml:1: Resources.(resource 2: logical id not shown).Properties.ContainerDefinitions: expected Array, got string',
    );
  });

  it('a logical id that is a credential is redacted in the ARN and the location alike', async () => {
    const fs = await findings(
      taskDefinition('Privileged: true').replace('  TaskDef:', '  AKIAIOSFODNN7EXAMPLE:'),
    );
    expect(fs.map((f) => f.ruleId)).toContain('td-privileged');
    expect(JSON.stringify(fs)).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(fs[0]?.location?.address).toBe('[redacted: AWS access key id]');
  });

  it('a secret in an environment variable is flagged and redacted, and the unknown list never carries values', async () => {
    const doc = read(
      taskDefinition(
        'Environment:\n  - Name: AWS_SECRET_ACCESS_KEY\n    Value: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n  - Name: TOKEN\n    Value: !Sub "${Token}"',
        'Parameters:\n  Token:\n    Type: String',
      ),
    );
    const fs = await findingsOf(doc);
    expect(fs.map((f) => f.ruleId)).toContain('td-secrets-in-environment');
    expect(JSON.stringify(fs)).not.toContain('wJalrXUtnFEMI');
    expect(JSON.stringify(doc.unknown)).not.toContain('wJalrXUtnFEMI');
  });
});
