/**
 * A socket.io-client parser that decodes each distinct packet once per process. The server
 * encodes a broadcast frame once and sends the same text to every console; hundreds of clients in
 * one benchmark process would otherwise each JSON-parse it, and the benchmark, not the server,
 * would be what we measure. socket.io-parser is socket.io-client's own parser (a dependency of it).
 */
import { Decoder, Encoder, type Packet } from 'socket.io-parser';

const MAX_ENTRIES = 500;
const cache = new Map<string, Packet>();

class CachingDecoder extends Decoder {
  override add(obj: unknown): void {
    if (typeof obj !== 'string') return super.add(obj);
    let packet = cache.get(obj);
    if (!packet) {
      const once = new Decoder();
      once.on('decoded', (p: Packet) => (packet = p));
      once.add(obj);
      if (!packet) return; // a partial binary packet: not used on this feed
      if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
      cache.set(obj, packet);
    }
    this.emitReserved('decoded', packet);
  }
}

export const cachingParser = { Encoder, Decoder: CachingDecoder };
