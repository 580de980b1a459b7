import { describe, expect, it } from 'vitest';
import { awsErrorName, classifyAwsError, failureCause } from '../../../shared/aws/classify';

const sdk = (name: string, extra: object = {}) => Object.assign(new Error('m'), { name }, extra);

describe('classifyAwsError', () => {
  it.each([
    ['ThrottlingException', 'throttled', true, false],
    ['EC2ThrottledException', 'throttled', true, false],
    ['ExpiredTokenException', 'auth', false, false],
    ['AccessDeniedException', 'denied', false, true],
    ['UnauthorizedOperation', 'denied', false, true],
    ['ParameterNotFound', 'not-found', false, true],
    ['ValidationException', 'invalid', false, true],
    ['TimeoutError', 'timeout', true, false],
    ['ClientException', 'client', false, false],
  ] as const)('%s is %s', (name, kind, retryable, permanent) => {
    expect(classifyAwsError(sdk(name))).toMatchObject({ kind, code: name, retryable, permanent });
  });

  it('reads Node network codes, 5xx and the SDK attempts', () => {
    expect(classifyAwsError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toMatchObject({
      kind: 'network',
      code: 'ECONNREFUSED',
      retryable: true,
      unanswered: false,
    });
    expect(classifyAwsError(Object.assign(new Error('x'), { code: 'ECONNRESET' })).unanswered).toBe(true);
    expect(
      classifyAwsError(
        sdk('InternalFailure', { $fault: 'server', $metadata: { httpStatusCode: 500, attempts: 3 } }),
      ),
    ).toMatchObject({ kind: 'server', retryable: true, status: 500, attempts: 3 });
  });

  it('names anything: the SDK name, else the code, else Error', () => {
    expect(awsErrorName(sdk('AccessDenied'))).toBe('AccessDenied');
    expect(awsErrorName(Object.assign(new Error('x'), { code: 'EPIPE' }))).toBe('EPIPE');
    expect(awsErrorName('a string')).toBe('Error');
  });
});

describe('failureCause: what a person fixes, from the same classifier', () => {
  it('names credentials, region, access denied and throttling (error or bare code)', () => {
    expect(failureCause({ name: 'CredentialsProviderError', message: 'Could not load credentials' })).toBe(
      'credentials',
    );
    expect(failureCause({ name: 'ExpiredTokenException' })).toBe('credentials');
    expect(failureCause(new Error('Region is missing'))).toBe('region');
    expect(
      failureCause(new Error('Region not accepted: region="x y" is not a valid hostname component.')),
    ).toBe('region');
    expect(failureCause({ name: 'Error', code: 'ENOTFOUND' })).toBe('network or region (endpoint not found)');
    expect(failureCause({ name: 'AccessDeniedException' })).toBe('access denied');
    expect(failureCause({ name: 'UnauthorizedOperation' })).toBe('access denied');
    expect(failureCause({ name: 'ThrottlingException' })).toBe('throttled');
    expect(failureCause({ name: 'InvalidResponse' })).toBe('unexpected response');
    expect(failureCause({ name: 'ECONNREFUSED' })).toBe('network');
    expect(failureCause({ name: 'NoAccess' })).toBe('no access to the account (read role)');
  });

  it("an error message never decides anything but the SDK's region errors, and is never returned", () => {
    const secret = 'AKIAIOSFODNN7EXAMPLE';
    expect(failureCause(new Error(`Region is missing ${secret}`))).toBe('region');
    expect(failureCause({ name: 'SomethingElse', message: secret })).not.toContain(secret);
  });
});
