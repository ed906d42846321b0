import { describe, expect, it } from 'vitest';
import { readSse, SseParser } from '../sse';

describe('SseParser', () => {
  it('parses events split anywhere across chunks, with CRLF and keep-alive comments', () => {
    const parser = new SseParser();
    const text = ': keep-alive\r\nevent: text_delta\r\ndata: {"text":"Hel"}\r\nid: 3\r\n\r\n:ping\n\nevent: done\ndata: {"status":"ok"}\nid: 4\n\n';
    const messages = [];
    for (let i = 0; i < text.length; i += 5) messages.push(...parser.push(text.slice(i, i + 5)));
    expect(messages).toEqual([
      { id: '3', event: 'text_delta', data: '{"text":"Hel"}' },
      { id: '4', event: 'done', data: '{"status":"ok"}' },
    ]);
  });

  it('joins multi-line data and defaults the event name to "message"', () => {
    const parser = new SseParser();
    expect(parser.push('data: one\ndata:two\n\n')).toEqual([{ id: null, event: 'message', data: 'one\ntwo' }]);
  });

  it('drops an event cut off before its blank line', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('event: a\ndata: 1\n\nevent: b\ndata: 2\n'));
        controller.close();
      },
    });
    const seen = [];
    for await (const message of readSse(body)) seen.push(message.event);
    expect(seen).toEqual(['a']);
  });
});
