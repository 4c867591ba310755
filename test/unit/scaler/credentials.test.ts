import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Credentials } from '../../../scaler/credentials.js';

const dir = mkdtempSync(path.join(tmpdir(), 'scaler-creds-'));
const file = (name: string, content: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Credentials', () => {
  it('uses a per-admin-URL token file, else the default file, else the env token', () => {
    const a = file('a', 'token-a\n');
    const def = file('default', 'token-default');
    const map = file('tokens.yaml', `"http://pulsar-a:8080/": ${a}\n`);
    const creds = new Credentials({ tokensFile: map, tokenFile: def });
    expect(creds.tokenFor('http://pulsar-a:8080')()).toBe('token-a');
    expect(creds.tokenFor('http://pulsar-b:8080')()).toBe('token-default');
    expect(new Credentials({ token: 'from-env' }).tokenFor('http://x')()).toBe('from-env');
    expect(new Credentials().tokenFor('http://x')()).toBeUndefined();
  });

  it('sends the JWT alone when a file or the env holds a Pulsar token Secret\'s token:<jwt> form', () => {
    const secret = file('secret-form', 'token:eyJhbGciOi.payload.sig\n');
    expect(new Credentials({ tokenFile: secret }).tokenFor('http://x')()).toBe('eyJhbGciOi.payload.sig');
    const map = file('secret-form.yaml', `"http://pulsar-a:8080": ${secret}\n`);
    expect(new Credentials({ tokensFile: map }).tokenFor('http://pulsar-a:8080')()).toBe('eyJhbGciOi.payload.sig');
    expect(new Credentials({ token: 'token:eyJ.a.b' }).tokenFor('http://x')()).toBe('eyJ.a.b');
    expect(() => new Credentials({ tokenFile: file('prefix-only', 'token:\n') })).toThrow(/empty/);
  });

  it('re-reads a rotated token file after the recheck interval', () => {
    let now = 0;
    const p = file('rotating', 'old');
    const creds = new Credentials({ tokenFile: p, recheckMs: 1000, now: () => now });
    const token = creds.tokenFor('http://x');
    expect(token()).toBe('old');
    writeFileSync(p, 'new');
    utimesSync(p, new Date(), new Date(Date.now() + 5000));
    now = 500;
    expect(token()).toBe('old');
    now = 1500;
    expect(token()).toBe('new');
  });

  it('describes its configuration without any token value', () => {
    const creds = new Credentials({ tokenFile: file('t', 'secret-value'), token: 'env-secret' });
    expect(JSON.stringify(creds.describe())).not.toMatch(/secret-value|env-secret/);
    expect(creds.describe().defaultToken).toBe(`file ${path.join(dir, 't')}`);
  });

  it('fails at start on an unreadable or malformed configuration', () => {
    expect(() => new Credentials({ tokenFile: path.join(dir, 'missing') })).toThrow(/ENOENT/);
    expect(() => new Credentials({ tokenFile: file('empty', '  \n') })).toThrow(/empty/);
    expect(() => new Credentials({ tokensFile: file('list.yaml', '- a\n- b\n') })).toThrow(/map of admin URL/);
  });
});
