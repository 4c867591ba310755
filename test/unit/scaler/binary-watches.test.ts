import { afterEach, describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { PulsarAdmin } from '../../../adapters/pulsar/admin-client.js';
import { parseTopicName } from '../../../adapters/pulsar/topic-name.js';
import { BinaryWatches } from '../../../scaler/binary-watches.js';
import { parseTriggerMetadata } from '../../../scaler/metadata.js';
import { freePort } from '../../support/processes.js';
import { waitFor } from '../../support/wait.js';

// The binary transport when its admin URL does not answer: no Pulsar needed, only what the
// watches do while the lookup fails.
let watches: BinaryWatches | undefined;
afterEach(() => watches?.close());

describe('BinaryWatches', () => {
  it('while the lookup fails, logs one warning for all the topics of an admin URL and keeps retrying', async () => {
    const lines: { level: number; msg: string; adminUrl?: string }[] = [];
    const log = pino({ level: 'debug' }, new Writable({ write: (chunk, _enc, done) => void (lines.push(JSON.parse(String(chunk))), done()) }));
    const adminUrl = `http://127.0.0.1:${await freePort()}`;
    watches = new BinaryWatches({ adminFor: (url) => new PulsarAdmin({ url, timeoutMs: 1_000 }), tokenFor: () => () => undefined, timeoutMs: 1_000, log, lookupRetryMs: 50 });
    const config = parseTriggerMetadata({ adminURL: adminUrl, topics: 'a', subscription: 'fn' });
    const opened = Array.from({ length: 5 }, (_, i) =>
      watches!.open({ config, topic: parseTopicName(`public/default/t${i}`), from: 'latest', onOpen: () => undefined, onMessage: () => undefined }),
    );
    await waitFor('every watch to fail at least twice', async () => lines.filter((l) => l.msg.startsWith('topic watch failed')).length >= 10, { timeoutMs: 10_000, intervalMs: 20 });
    const failures = lines.filter((l) => l.msg.startsWith('topic watch failed'));
    expect(failures.filter((l) => l.level === 40)).toHaveLength(1); // warn once, the rest at debug
    expect(failures[0]).toMatchObject({ adminUrl, err: expect.stringContaining('ECONNREFUSED') });
    expect(opened.every((w) => !w.connected)).toBe(true);
    expect(watches.connections).toBe(0);
  });
});
