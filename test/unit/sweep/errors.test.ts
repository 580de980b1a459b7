import { describe, expect, it } from 'vitest';
import { classifyError, SweepDeadlineError } from '../../../shared/sweep/errors';

const sdkError = (name: string, message = 'm', attempts = 1) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400, attempts } });

describe('classifyError', () => {
  it.each([
    ['AccessDeniedException', 'access-denied'],
    ['UnauthorizedOperation', 'access-denied'],
    ['ExpiredTokenException', 'access-denied'],
    ['ThrottlingException', 'throttled'],
    ['RequestLimitExceeded', 'throttled'],
    ['TooManyRequestsException', 'throttled'],
    ['AbortError', 'timeout'],
    ['TimeoutError', 'timeout'],
    ['InvalidEventError', 'invalid-response'],
    ['ServerException', 'error'],
  ])('%s is %s', (name, kind) => {
    expect(classifyError(sdkError(name)).kind).toBe(kind);
  });

  it('reads Node socket codes, the sweep deadline, attempts, and keeps only the first line of a message', () => {
    expect(classifyError(Object.assign(new Error('x'), { code: 'ETIMEDOUT' }))).toMatchObject({
      kind: 'timeout',
      code: 'ETIMEDOUT',
    });
    expect(classifyError(new SweepDeadlineError()).kind).toBe('timeout');
    expect(classifyError(sdkError('ThrottlingException', 'Rate exceeded', 8)).attempts).toBe(8);
    const html = classifyError(sdkError('SyntaxError', `Unexpected token '<'\n<html>${'x'.repeat(5000)}`));
    expect(html.message).toBe("Unexpected token '<'");
    expect(classifyError('weird').code).toBe('Error');
  });
});
