import { describe, expect, it } from 'vitest';
import { awsErrorName, classifyAwsError } from '../../../shared/aws/classify';

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
