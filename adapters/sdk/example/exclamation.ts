// The sample function: Pulsar's ExclamationFunction as an HTTP function — the text of each
// message with "!" appended, replied to the output topic by the bridge beside it.
//   PORT=8080 npx tsx adapters/sdk/example/exclamation.ts
import { serve } from '../index.js';

const served = await serve((event) => {
  const text = Buffer.isBuffer(event.data) ? event.data.toString('utf8') : String(event.data ?? '');
  return `${text}!`;
});
console.log(JSON.stringify({ level: 'info', msg: 'exclamation function listening', port: served.port }));
