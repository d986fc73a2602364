import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';

/**
 * Just enough of a WebSocket client to talk to a child's V8 inspector. A decoder stuck in a loop
 * blocks its thread, so it can neither report its stack nor answer a signal handler; the
 * inspector's own I/O thread can still pause it and return the call frames.
 */

interface CallFrame {
  functionName: string;
  url: string;
  location: { lineNumber: number; columnNumber: number };
}

interface InspectorMessage {
  id?: number;
  method?: string;
  params?: { callFrames?: CallFrame[] };
}

const OPCODE_TEXT = 0x1;
const OPCODE_CLOSE = 0x8;

function encodeFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const length = payload.length;
  const header = length < 126 ? Buffer.alloc(2) : length < 0x10000 ? Buffer.alloc(4) : Buffer.alloc(10);
  header[0] = 0x80 | OPCODE_TEXT;
  if (length < 126) {
    header[1] = 0x80 | length;
  } else if (length < 0x10000) {
    header[1] = 0x80 | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  // Client frames must be masked (RFC 6455 §5.3).
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
  return Buffer.concat([header, mask, masked]);
}

/** Splits complete server frames (never masked) off the front of `buffer`. */
function decodeFrames(buffer: Buffer): {
  messages: Array<{ opcode: number; fin: boolean; payload: Buffer }>;
  rest: Buffer;
} {
  const messages: Array<{ opcode: number; fin: boolean; payload: Buffer }> = [];
  let at = 0;
  while (buffer.length - at >= 2) {
    const first = buffer[at];
    let length = buffer[at + 1] & 0x7f;
    let start = at + 2;
    if (length === 126) {
      length = buffer.length - at >= 4 ? buffer.readUInt16BE(at + 2) : -1;
      start = at + 4;
    } else if (length === 127) {
      length = buffer.length - at >= 10 ? Number(buffer.readBigUInt64BE(at + 2)) : -1;
      start = at + 10;
    }
    if (length < 0 || buffer.length < start + length) {
      break;
    }
    messages.push({ opcode: first & 0x0f, fin: (first & 0x80) !== 0, payload: buffer.subarray(start, start + length) });
    at = start + length;
  }
  return { messages, rest: buffer.subarray(at) };
}

/** Modules loaded through tsx have no URL here, and positions in their compiled code mean nothing. */
function formatFrame(frame: CallFrame): string {
  const where = frame.url
    ? `${frame.url}:${frame.location.lineNumber + 1}:${frame.location.columnNumber + 1}`
    : 'compiled';
  return `    at ${frame.functionName || '<anonymous>'} (${where})`;
}

function formatFrames(frames: CallFrame[]): string {
  return ['paused while hanging', ...frames.map(formatFrame)].join('\n');
}

export class InspectorClient {
  private nextId = 1;
  private buffer: Buffer = Buffer.alloc(0);
  private partial: Buffer[] = [];
  private pausedWaiter: ((stack: string) => void) | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => undefined);
  }

  /** Connects and enables the debugger (while the child is still idle, so the request is served). */
  static connect(url: string, timeoutMs = 5000): Promise<InspectorClient> {
    const target = new URL(url);
    return new Promise((resolve, reject) => {
      const request = http.request({
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
          'Sec-WebSocket-Version': '13',
        },
        timeout: timeoutMs,
      });
      request.on('upgrade', (_response, socket: Socket) => {
        const client = new InspectorClient(socket);
        client.send('Debugger.enable');
        resolve(client);
      });
      request.on('timeout', () => request.destroy(new Error(`inspector at ${url} did not answer`)));
      request.on('error', reject);
      request.end();
    });
  }

  private send(method: string): void {
    this.socket.write(encodeFrame(JSON.stringify({ id: this.nextId++, method })));
  }

  private receive(chunk: Buffer): void {
    const { messages, rest } = decodeFrames(Buffer.concat([this.buffer, chunk]));
    this.buffer = rest;
    for (const frame of messages) {
      if (frame.opcode === OPCODE_CLOSE) {
        this.socket.destroy();
        return;
      }
      this.partial.push(frame.payload);
      if (frame.fin) {
        this.handle(Buffer.concat(this.partial).toString('utf8'));
        this.partial = [];
      }
    }
  }

  private handle(text: string): void {
    const message = JSON.parse(text) as InspectorMessage;
    if (message.method === 'Debugger.paused' && this.pausedWaiter) {
      this.pausedWaiter(formatFrames(message.params?.callFrames ?? []));
      this.pausedWaiter = undefined;
    }
  }

  /** Pauses the child wherever it is and returns its JavaScript stack (undefined if it does not pause). */
  pauseStack(timeoutMs = 1000): Promise<string | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      this.pausedWaiter = (stack) => {
        clearTimeout(timer);
        resolve(stack);
      };
      this.send('Debugger.pause');
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
