// Broker addresses: pulsar://host:port and pulsar+ssl://host:port, alone or as a comma-separated
// list of hosts (pulsar://a:6650,b:6650), which the client tries in turn.
export interface BrokerAddress {
  tls: boolean;
  host: string;
  port: number;
  /** The canonical form, used as the connection pool's key. */
  url: string;
}

export function parseServiceUrl(serviceUrl: string): BrokerAddress[] {
  const m = /^(pulsar|pulsar\+ssl):\/\/([^/]+)\/?$/.exec(serviceUrl.trim());
  if (!m) throw new Error(`serviceUrl "${serviceUrl}": expected pulsar://host:port or pulsar+ssl://host:port (comma-separated hosts allowed)`);
  const tls = m[1] === 'pulsar+ssl';
  return m[2]!.split(',').map((hostPort) => {
    const hp = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostPort.trim());
    if (!hp) throw new Error(`serviceUrl "${serviceUrl}": cannot read host "${hostPort}"`);
    const host = hp[1]!.replace(/^\[|\]$/g, '');
    const port = hp[2] ? Number(hp[2]) : tls ? 6651 : 6650;
    if (port < 1 || port > 65535) throw new Error(`serviceUrl "${serviceUrl}": port ${port} is out of range`);
    return { tls, host, port, url: `${m[1]}://${hp[1]}:${port}` };
  });
}

export function parseBrokerUrl(url: string): BrokerAddress {
  const all = parseServiceUrl(url);
  if (all.length !== 1) throw new Error(`broker url "${url}": expected exactly one host`);
  return all[0]!;
}
