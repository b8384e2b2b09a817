import { isRetryableFailure, unavailabilityReason } from './unavailable';

const withCode = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

describe('unavailabilityReason', () => {
  it('recognises a server that refuses, resets or cannot be reached', () => {
    expect(unavailabilityReason(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toContain('ECONNREFUSED');
    expect(unavailabilityReason(withCode('read ECONNRESET', 'ECONNRESET'))).toContain('ECONNRESET');
    // Node's happy-eyeballs connect wraps each address's error in an AggregateError
    expect(unavailabilityReason(Object.assign(new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')]), { code: 'ECONNREFUSED' }))).not.toBeNull();
  });

  it('recognises a restart, a failover and a full server by SQLSTATE, also wrapped by TypeORM', () => {
    for (const code of ['57P01', '57P03', '08006', '08001', '53300', '25006']) {
      expect(unavailabilityReason({ name: 'QueryFailedError', message: 'x', driverError: withCode('terminating', code) })).toContain(code);
    }
  });

  it('recognises node-postgres\'s words for a dropped or timed-out connection', () => {
    for (const message of ['Connection terminated unexpectedly', 'Connection terminated due to connection timeout', 'timeout exceeded when trying to connect',
      'Client has encountered a connection error and is not queryable', 'Query read timeout']) {
      expect(unavailabilityReason(new Error(message))).toBe(message);
    }
  });

  it('leaves real errors alone: constraint violations, syntax errors, bugs', () => {
    expect(unavailabilityReason({ message: 'duplicate key value violates unique constraint', driverError: withCode('duplicate key', '23505') })).toBeNull();
    expect(unavailabilityReason(withCode('syntax error at or near "SELEC"', '42601'))).toBeNull();
    expect(unavailabilityReason(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBeNull();
    expect(unavailabilityReason(undefined)).toBeNull();
    expect(unavailabilityReason('ECONNREFUSED')).toBeNull();
  });

  it('keeps the reason to one short line', () => {
    const reason = unavailabilityReason(new Error(`Connection terminated\n${'x'.repeat(500)}`));
    expect(reason).toBe('Connection terminated');
  });
});

describe('isRetryableFailure', () => {
  const pgError = (code: string) => Object.assign(new Error('x'), { code });
  it('retries deadlocks, serialization failures, lock and statement timeouts, and the unavailable', () => {
    for (const code of ['40P01', '40001', '55P03', '57014', '53200', '08006', '57P01']) expect([code, isRetryableFailure(pgError(code))]).toEqual([code, true]);
    // TypeORM wraps the driver's error
    expect(isRetryableFailure({ message: 'QueryFailedError', driverError: pgError('40P01') })).toBe(true);
  });
  it('does not retry what is wrong with the data or the code', () => {
    for (const code of ['23505', '22P02', '42703', '23503']) expect([code, isRetryableFailure(pgError(code))]).toEqual([code, false]);
    expect(isRetryableFailure(new TypeError('cannot read x of undefined'))).toBe(false);
  });
});
