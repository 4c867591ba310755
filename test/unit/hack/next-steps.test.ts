// The text `npm start` prints once the samples are up; the e2e suite runs its commands for real.
import { describe, expect, it } from '@jest/globals';
import { nextSteps } from '../../../hack/next-steps.js';

const input = {
  kubeconfig: '/repo/.local/platform/kubeconfig', kubectl: '/cache/kubernetes/bin/kubectl', pulsarWebUrl: 'http://127.0.0.1:8080',
  fn: { namespace: 'default', name: 'exclamation-http', input: 'exclamation-in', subscription: 'public/default/exclamation-http' },
};

describe('nextSteps', () => {
  it('gives the KUBECONFIG, a watch, the command that wakes the sample, and how to let it sleep again', () => {
    const steps = nextSteps(input);
    expect(steps.produce).toBe('npm run produce -- exclamation-in hello');
    expect(steps.skipBacklog).toBe('curl -fsS -X POST http://127.0.0.1:8080/admin/v2/persistent/public/default/exclamation-in/subscription/public%2Fdefault%2Fexclamation-http/skip_all');
    expect(steps.text.split('\n')).toEqual(expect.arrayContaining([
      '  export KUBECONFIG=/repo/.local/platform/kubeconfig',
      '  /cache/kubernetes/bin/kubectl -n default get function exclamation-http -w   # watch its REPLICAS',
      '  npm run produce -- exclamation-in hello   # exclamation-http wakes from zero within about a second',
      `  ${steps.skipBacklog}`,
    ]));
  });

  it('names a platform outside the default place, and quotes what the shell would split', () => {
    const steps = nextSteps({ ...input, kubeconfig: '/my dir/kubeconfig', platformDir: '/my dir', fn: { ...input.fn, input: 'persistent://t/n/in' } });
    expect(steps.produce).toBe("FM_PLATFORM_DIR='/my dir' npm run produce -- persistent://t/n/in hello");
    expect(steps.skipBacklog).toContain('/admin/v2/persistent/t/n/in/subscription/');
    expect(steps.text).toContain("export KUBECONFIG='/my dir/kubeconfig'");
  });
});
