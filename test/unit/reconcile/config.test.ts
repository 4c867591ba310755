import { describe, expect, it } from '@jest/globals';
import { ConfigError, parseConfig } from '../../../controller/config.js';

describe('parseConfig', () => {
  it('uses defaults, then env, then flags', () => {
    const defaults = parseConfig([], {}, 'host-1');
    expect(defaults).toEqual(expect.objectContaining({ opsPort: 8080, leaderElect: true, defaultAffinity: true, leaseNamespace: 'functionmesh-system', watchNamespace: undefined, workers: 8, instance: 'host-1', scalerAddress: 'functionmesh-scaler.functionmesh-system.svc:9090' }));
    const fromEnv = parseConfig([], { FM_WORKERS: '8', POD_NAMESPACE: 'ops', POD_NAME: 'ctl-0' }, 'h');
    expect(fromEnv).toEqual(expect.objectContaining({ workers: 8, leaseNamespace: 'ops', instance: 'ctl-0' }));
    const fromFlags = parseConfig(['--workers=2', '--leader-elect=false', '--default-affinity=false', '--watch-namespace=team-a', '--java-runner-image=my/java:1'], { FM_WORKERS: '8' }, 'h');
    expect(fromFlags).toEqual(expect.objectContaining({ workers: 2, leaderElect: false, defaultAffinity: false, watchNamespace: 'team-a', runnerImages: { java: 'my/java:1', python: undefined, go: undefined } }));
  });
  it('names the flag, the env var and the accepted values on bad input', () => {
    expect(() => parseConfig(['--workers=0'], {}, 'h')).toThrow(new ConfigError('--workers (env FM_WORKERS) must be an integer from 1 to 64, got "0"'));
    expect(() => parseConfig([], { FM_LEADER_ELECT: 'yes' }, 'h')).toThrow('--leader-elect (env FM_LEADER_ELECT) must be true or false, got "yes"');
    expect(() => parseConfig(['--scaler-address=http://x'], {}, 'h')).toThrow('must be host:port');
    expect(() => parseConfig(['--bogus'], {}, 'h')).toThrow(ConfigError);
  });
  it("reads the BackendConfig names as upstream's chart sets them; none turns one off", () => {
    expect(parseConfig([], {}, 'h')).toEqual(expect.objectContaining({ backendConfigs: { global: { namespace: 'default', name: 'global-backend-config' }, namespacedName: 'backend-config' } }));
    const custom = parseConfig(['--global-backend-config=cluster', '--global-backend-config-namespace=ops'], { NAMESPACED_BACKEND_CONFIG: 'team' }, 'h');
    expect(custom).toEqual(expect.objectContaining({ backendConfigs: { global: { namespace: 'ops', name: 'cluster' }, namespacedName: 'team' } }));
    const off = parseConfig(['--global-backend-config=none', '--namespaced-backend-config=none'], {}, 'h');
    expect(off).toEqual(expect.objectContaining({ backendConfigs: { global: undefined, namespacedName: undefined } }));
  });
  it("--pause-rollout, upstream's flag: off by default, from the flag or FM_PAUSE_ROLLOUT", () => {
    expect(parseConfig([], {}, 'h')).toEqual(expect.objectContaining({ pauseRollout: false }));
    expect(parseConfig(['--pause-rollout=true'], {}, 'h')).toEqual(expect.objectContaining({ pauseRollout: true }));
    expect(parseConfig([], { FM_PAUSE_ROLLOUT: 'true' }, 'h')).toEqual(expect.objectContaining({ pauseRollout: true }));
  });
  it('answers --help', () => {
    expect(parseConfig(['--help'], {}, 'h')).toBe('help');
  });
});
