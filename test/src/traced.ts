import { spawn } from 'node:child_process';
import type { TestAgent } from './agent.js';

/**
 * Runs a command as a traced child and resolves with its stdout. The agent follows children only once
 * it has seen their exec event, after a client like redis-cli may already have talked; so the child
 * starts as a shell that is traced by pid before it execs the command.
 */
export function runTraced(t: TestAgent, cmd: string, args: string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', 'sleep 0.1; exec "$0" "$@"', cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    t.traceChild(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(out).toString());
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}: ${Buffer.concat(err).toString().trim()}`));
    });
  });
}
