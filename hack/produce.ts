// `npm run produce -- <topic> [text]`: publishes one message (default "hello") to a topic of the
// local platform's Pulsar (PULSAR_WEB_URL when set), e.g. a sample's input topic to wake it from
// zero. The topic may be short (`exclamation-in` is persistent://public/default/exclamation-in).
import path from 'node:path';
import { PulsarProducer } from '../adapters/pulsar/ws-producer.js';
import { readEnvFile } from './platform-env.js';

const [topic, ...words] = process.argv.slice(2);
if (!topic) {
  console.error('usage: npm run produce -- <topic> [text]');
  process.exit(2);
}
const platformDir = process.env.FM_PLATFORM_DIR ?? path.resolve(import.meta.dirname, '../.local/platform');
const url = process.env.PULSAR_WEB_URL ?? readEnvFile(path.join(platformDir, 'env')).PULSAR_WEB_URL;
if (!url) {
  console.error(`no PULSAR_WEB_URL: set it, or start the local platform (${platformDir}) with \`npm start\``);
  process.exit(2);
}
const producer = new PulsarProducer({ url, topic, sendTimeoutMs: 15_000 });
try {
  const id = await producer.send({ payload: Buffer.from(words.join(' ') || 'hello') });
  console.log(`published to ${producer.topic}: message ${id}`);
} catch (err) {
  console.error(`publishing to ${producer.topic} at ${url} failed: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await producer.close();
}
