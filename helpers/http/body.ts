/** Response handling of the HTTP layer: headers as WHATWG Headers, the capped body read, JSON sniffing, clipping. */
import type { Dispatcher } from 'undici';

/** The response headers as a WHATWG Headers (what HttpResponse carries); repeated headers appended in order. */
export function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const out = new Headers();
  for (const [k, v] of Object.entries(raw)) {
    for (const value of Array.isArray(v) ? v : v === undefined ? [] : [v]) {
      try {
        out.append(k, value);
      } catch {
        // a value no HTTP header may carry (e.g. a control character): left out, as fetch would refuse it
      }
    }
  }
  return out;
}

export async function readCapped(body: Dispatcher.ResponseData['body'], max: number): Promise<{ text: string; truncated: boolean; bytes: number }> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let truncated = false;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (bytes + chunk.byteLength > max) {
      chunks.push(chunk.subarray(0, max - bytes));
      bytes = max;
      truncated = true;
      body.destroy();
      break;
    }
    chunks.push(chunk);
    bytes += chunk.byteLength;
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks));
  return { text, truncated, bytes };
}

export function parseJsonMaybe(text: string, contentType: string | null): unknown {
  const t = text.trimStart();
  if (!t) return undefined;
  if (!(contentType ?? '').includes('json') && t[0] !== '{' && t[0] !== '[') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  return `${s.slice(0, max)}… [${s.length - max} more characters not kept]`;
}
