/** One Server-Sent Event as it came over the wire (`data` lines joined with newlines). */
export interface SseMessage {
  id: string | null;
  event: string;
  data: string;
}

/**
 * Splits a text stream into SSE messages, per the HTML spec's parsing rules: lines end with CRLF, LF
 * or CR; a blank line dispatches; lines starting with ':' are comments (keep-alives); an unknown field
 * is ignored. Works for fetch() responses, which EventSource cannot make (the turn is a POST).
 */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id: string | null = null;
  private hasId = false;

  /** Feeds a chunk of text and returns the messages it completed. */
  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const out: SseMessage[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      // A lone CR at the very end may be the first half of a CRLF split across chunks.
      if (match[0] === '\r' && match.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const message = this.line(line);
      if (message) out.push(message);
    }
    return out;
  }

  /** Flushes at end of stream: a message without its trailing blank line is dropped, as the spec says. */
  end(): SseMessage[] {
    const rest = this.buffer;
    this.buffer = '';
    if (rest) this.line(rest);
    return [];
  }

  private line(line: string): SseMessage | null {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) {
      this.id = value;
      this.hasId = true;
    }
    return null;
  }

  private dispatch(): SseMessage | null {
    const hadData = this.data.length > 0;
    const message = { id: this.hasId ? this.id : null, event: this.event || 'message', data: this.data.join('\n') };
    this.data = [];
    this.event = '';
    this.hasId = false;
    return hadData ? message : null;
  }
}

/** Reads a response body as SSE messages until it ends or `signal` aborts. */
export async function* readSse(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const onAbort = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', onAbort);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    yield* parser.push(decoder.decode());
    parser.end();
  } finally {
    signal?.removeEventListener('abort', onAbort);
    reader.releaseLock?.();
  }
}
