// Reads what a Containerfile's stages declare about the runtime (the fields an image config
// carries), following `FROM <stage>` so a stage inherits its parent stage's settings. Base images
// from a registry contribute nothing here: the test compares what our recipes declare.

export interface StageConfig {
  entrypoint?: string[];
  cmd?: string[];
  user?: string;
  workdir?: string;
  env: Record<string, string>;
  exposedPorts: string[];
}

/** Instructions with their arguments, continuation lines joined and comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  return joined.split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const m = /^(\S+)\s*(.*)$/.exec(l)!;
      return { op: m[1]!.toUpperCase(), args: m[2]! };
    });
}

function execForm(args: string): string[] {
  if (args.startsWith('[')) {
    const parsed: unknown = JSON.parse(args);
    if (!Array.isArray(parsed) || !parsed.every((w) => typeof w === 'string')) throw new Error(`not a JSON array of strings: ${args}`);
    return parsed;
  }
  return ['/bin/sh', '-c', args];
}

function envPairs(args: string): Record<string, string> {
  const env: Record<string, string> = {};
  if (!/^\S+=/.test(args)) {
    const [name, ...rest] = args.split(/\s+/);
    env[name!] = rest.join(' ');
    return env;
  }
  for (const m of args.matchAll(/(\S+?)=("(?:[^"\\]|\\.)*"|\S*)/g)) env[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
  return env;
}

/** Every stage by name (or by index for unnamed ones); the last stage is also under `''`. */
export function parseContainerfile(text: string): Map<string, StageConfig> {
  const stages = new Map<string, StageConfig>();
  let current: StageConfig | undefined;
  let index = 0;
  for (const { op, args } of instructions(text)) {
    if (op === 'FROM') {
      const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!m) throw new Error(`FROM ${args}: cannot read`);
      const parent = stages.get(m[1]!);
      current = parent
        ? { ...parent, env: { ...parent.env }, exposedPorts: [...parent.exposedPorts] }
        : { env: {}, exposedPorts: [] };
      stages.set(m[2] ?? String(index), current);
      stages.set('', current);
      index++;
      continue;
    }
    if (!current) throw new Error(`${op} before FROM`);
    switch (op) {
      case 'ENTRYPOINT':
        current.entrypoint = execForm(args);
        delete current.cmd; // as Docker does: a new entrypoint resets an inherited CMD
        break;
      case 'CMD': current.cmd = execForm(args); break;
      case 'USER': current.user = args; break;
      case 'WORKDIR': current.workdir = args.startsWith('/') ? args : `${current.workdir ?? ''}/${args}`; break;
      case 'ENV': Object.assign(current.env, envPairs(args)); break;
      case 'EXPOSE':
        for (const p of args.split(/\s+/)) current.exposedPorts.push(p.includes('/') ? p : `${p}/tcp`);
        break;
      default: break;
    }
  }
  return stages;
}
