// A Pulsar admin URL, checked the same way at start (--admin-url, the default for triggers
// without one) and in each trigger's adminURL: http(s), no credentials in it (tokens are the
// scaler's own configuration), no trailing slash.
import { Rejection, type ValueType } from '../process/config-table.js';

export const adminUrl: ValueType<string> = {
  hint: '<url>',
  parse(raw) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return new Rejection('is not a URL (e.g. http://pulsar-broker:8080)');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return new Rejection('must start with http:// or https://');
    // The value is not repeated: it holds a password.
    if (url.username || url.password) return new Rejection('must not carry credentials: configure tokens on the scaler (--token-file or --tokens-file)', false);
    return url.href.replace(/\/+$/, '');
  },
};
