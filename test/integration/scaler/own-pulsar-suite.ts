// A suite's own Pulsar broker and a push-only scaler beside it, started before the suite's tests
// and stopped after: for the suites that stop, move or reconfigure the broker (never the shared one).
import { afterAll, beforeAll } from '@jest/globals';
import type { Scaler } from '../../../scaler/app.js';
import { KedaLikeClient, OwnPulsar, PUSH_ONLY_CHECK_MS, startTestScaler } from './support.js';

export interface OwnPulsarSuite {
  pulsar: OwnPulsar;
  /** Its periodic check never runs within a test: only a reader can deliver `true`. */
  scaler: Scaler;
  /** Calls `scaler` as KEDA does. */
  keda: KedaLikeClient;
}

/** Registers the suite's beforeAll/afterAll; the fields are set once beforeAll has run. */
export function ownPulsarWithPushScaler(pulsarOptions: Parameters<typeof OwnPulsar.start>[0] = {}): OwnPulsarSuite {
  const suite = {} as OwnPulsarSuite;
  beforeAll(async () => {
    suite.pulsar = await OwnPulsar.start(pulsarOptions);
    suite.scaler = await startTestScaler({ checkMs: PUSH_ONLY_CHECK_MS });
    suite.keda = new KedaLikeClient(suite.scaler.server.port);
  }, 240_000);
  afterAll(async () => {
    suite.keda?.close();
    await suite.scaler?.close();
    await suite.pulsar?.destroy();
  }, 60_000);
  return suite;
}
