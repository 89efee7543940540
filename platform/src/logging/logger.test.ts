import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, forCategory, withLogContext } from './logger.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ service: 'unit', level: 'debug', destination }) };
}

describe('logger', () => {
  it('writes one JSON object per line with level name, ISO time, service and category', () => {
    const { lines, logger } = capture();
    forCategory(logger, 'DB').info({ table: 'jobs' }, 'migrated');
    expect(lines[0]).toMatchObject({
      level: 'info',
      service: 'unit',
      category: 'DB',
      table: 'jobs',
      msg: 'migrated',
    });
    expect(new Date(String(lines[0]?.time)).toISOString()).toBe(lines[0]?.time);
  });

  it('adds request and job ids from the surrounding context, however deep', async () => {
    const { lines, logger } = capture();
    await withLogContext({ requestId: 'req-1' }, async () => {
      await withLogContext({ jobId: '42' }, async () => {
        await Promise.resolve();
        forCategory(logger, 'JOB').info('started');
      });
      logger.info('after');
    });
    logger.info('outside');
    expect(lines.map((l) => [l.requestId, l.jobId])).toEqual([
      ['req-1', '42'],
      ['req-1', undefined],
      [undefined, undefined],
    ]);
  });

  it('never writes secrets it is handed', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        password: 'p4ss!',
        user: { password: 'x', token: 't0k' },
        DB_PASSWORD: 'dbpw',
        authorization: 'Bearer abc',
      },
      'login',
    );
    const text = JSON.stringify(lines);
    for (const secret of ['p4ss!', 't0k', 'dbpw', 'Bearer abc']) expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({ password: '[redacted]', user: { password: '[redacted]' } });
  });
});
