// A small Language Server Protocol client over stdio for the benchmarks: JSON-RPC with Content-Length
// framing, requests with promises, notifications to listeners, and answers to what a server asks the
// client (its settings, capability registrations, progress tokens).
import { spawn } from 'node:child_process';

export class LspClient {
  /** `settings(section)`: what `workspace/configuration` answers for a section. */
  constructor(command, args, settings = () => null) {
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.settings = settings;
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = new Map();
    this.buffer = Buffer.alloc(0);
    this.stderr = '';
    this.child.stdout.on('data', (d) => this.receive(d));
    this.child.stderr.on('data', (d) => (this.stderr = (this.stderr + d).slice(-4000)));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    this.child.on('exit', (code) => {
      for (const { reject } of this.pending.values()) reject(new Error(`the language server exited (${code}): ${this.stderr.trim().split('\n').slice(-5).join(' | ')}`));
      this.pending.clear();
    });
  }

  receive(data) {
    this.buffer = Buffer.concat([this.buffer, data]);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length: *(\d+)/i.exec(this.buffer.subarray(0, end).toString('ascii'))?.[1]);
      if (!Number.isFinite(length)) throw new Error('LSP: a message without Content-Length');
      if (this.buffer.length < end + 4 + length) return;
      const message = JSON.parse(this.buffer.subarray(end + 4, end + 4 + length).toString('utf8'));
      this.buffer = this.buffer.subarray(end + 4 + length);
      this.dispatch(message);
    }
  }

  dispatch(m) {
    if (m.method !== undefined && m.id !== undefined) {
      // A request from the server.
      let result = null;
      if (m.method === 'workspace/configuration') result = (m.params?.items ?? []).map((i) => this.settings(i.section));
      this.write({ jsonrpc: '2.0', id: m.id, result });
    } else if (m.method !== undefined) {
      for (const fn of this.listeners.get(m.method) ?? []) fn(m.params);
    } else {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) p.reject(new Error(`LSP error ${m.error.code}: ${m.error.message}`));
      else p.resolve(m.result);
    }
  }

  write(message) {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.child.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
  }

  request(method, params) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.write({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method, params) {
    this.write({ jsonrpc: '2.0', method, params });
  }

  on(method, fn) {
    const list = this.listeners.get(method) ?? [];
    list.push(fn);
    this.listeners.set(method, list);
    return () => list.splice(list.indexOf(fn), 1);
  }

  /** The next notification `method` whose params pass `test`. */
  next(method, test = () => true, timeoutMs = 60_000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`LSP: no ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.on(method, (params) => {
        if (!test(params)) return;
        clearTimeout(timer);
        off();
        resolve(params);
      });
    });
  }

  async shutdown() {
    try {
      await Promise.race([this.request('shutdown', null), new Promise((r) => setTimeout(r, 2000))]);
      this.notify('exit', null);
    } catch {
      /* exited already */
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(timer);
  }
}
