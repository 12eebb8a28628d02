import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** Debian's interpreter, where python3-jwt installs PyJWT (a pyenv or venv python3 on PATH may lack it). */
const PYTHON = '/usr/bin/python3';
const SCRIPT = join(__dirname, '..', 'ssf-receiver.py');

export interface VerifiedSet {
  ok: boolean;
  error?: string;
  header: { typ: string; alg: string; kid: string };
  claims: {
    iss: string;
    aud: string | string[];
    jti: string;
    iat: number;
    txn: string;
    sub_id: any;
    events: Record<string, any>;
    [claim: string]: unknown;
  };
}

export interface Push {
  at: number;
  path: string;
  contentType: string;
  authorization: string | null;
  answered: number;
  verified: VerifiedSet;
}

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Seconds to wait before answering. */
  delay?: number;
}

/** The single event of a verified SET: its type and fields. */
export function eventOf(set: VerifiedSet): { type: string; fields: any } {
  const [[type, fields]] = Object.entries(set.claims.events);
  return { type, fields };
}

/** A push receiver (test/ssf-receiver.py) that verifies every SET with PyJWT against SessionHub's published JWKS. */
export class PythonPushReceiver {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static start(sessionHubUrl: string, audience: string): Promise<PythonPushReceiver> {
    const child = spawn(PYTHON, [SCRIPT, 'serve', sessionHubUrl, audience], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    return new Promise((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const ready = /READY (\d+)/.exec(output);
        if (ready) resolve(new PythonPushReceiver(child, Number(ready[1])));
      });
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => reject(new Error(`the Python receiver exited (${code}):\n${output}`)));
    });
  }

  /** Where SessionHub should push. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/events`;
  }

  /** The answers to give to the next pushes, in order; the default answer after them. */
  async script(answers: ScriptedAnswer[]): Promise<void> {
    const res = await fetch(`http://127.0.0.1:${this.port}/_control/script`, {
      method: 'POST',
      body: JSON.stringify(answers),
    });
    if (res.status !== 204) throw new Error(`script: ${res.status}`);
  }

  /** The answer once the script is used up (202 until this is called): e.g. 503 to keep every SET pending. */
  async answerByDefault(answer: ScriptedAnswer): Promise<void> {
    const res = await fetch(`http://127.0.0.1:${this.port}/_control/default`, {
      method: 'POST',
      body: JSON.stringify(answer),
    });
    if (res.status !== 204) throw new Error(`default: ${res.status}`);
  }

  async received(): Promise<Push[]> {
    return (await (await fetch(`http://127.0.0.1:${this.port}/_control/received`)).json()) as Push[];
  }

  /** Waits until at least `count` pushes arrived (answered anything), then answers all of them. */
  async waitFor(count: number, timeoutMs = 20_000): Promise<Push[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pushes = await this.received();
      if (pushes.length >= count) return pushes;
      if (Date.now() > deadline) throw new Error(`${pushes.length} pushes arrived, expected ${count}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}

/** Verifies SETs (from a poll) in a fresh Python process, against the JWKS published now. */
export function verifyInPython(sessionHubUrl: string, audience: string, sets: string[]): Promise<VerifiedSet[]> {
  const child = spawn(PYTHON, [SCRIPT, 'verify', sessionHubUrl, audience], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(JSON.stringify(sets));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(stdout) as VerifiedSet[]) : reject(new Error(`verify exited ${code}: ${stderr}`)),
    ),
  );
}
