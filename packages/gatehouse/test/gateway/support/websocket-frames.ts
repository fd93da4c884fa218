/**
 * Just enough RFC 6455 for the tests (Node 20 has no WebSocket client without a flag, and `ws` is
 * not a dependency): the handshake's accept value, and frames — unfragmented, payloads under
 * 2^32 bytes — encoded and decoded.
 */
import { createHash, randomBytes } from 'node:crypto';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 §4.2.2). */
export function websocketAccept(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

export function websocketKey(): string {
  return randomBytes(16).toString('base64');
}

/** A final frame; clients must mask (§5.3), servers must not. */
export function encodeFrame(opcode: number, payload: Buffer | string, masked: boolean): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const length = data.length;
  const header = length < 126 ? Buffer.alloc(2) : length < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  header[0] = 0x80 | opcode;
  if (length < 126) header[1] = length;
  else if (length < 65536) {
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 127;
    header.writeUInt32BE(0, 2);
    header.writeUInt32BE(length, 6);
  }
  if (!masked) return Buffer.concat([header, data]);
  header[1]! |= 0x80;
  const mask = randomBytes(4);
  const body = Buffer.from(data);
  for (let index = 0; index < body.length; index++) body[index]! ^= mask[index % 4]!;
  return Buffer.concat([header, mask, body]);
}

export interface Frame {
  readonly opcode: number;
  readonly payload: Buffer;
}

/** Accumulates bytes and yields every complete frame, unmasked. */
export class FrameReader {
  #buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    const frames: Frame[] = [];
    for (;;) {
      const buffer = this.#buffer;
      if (buffer.length < 2) return frames;
      const masked = (buffer[1]! & 0x80) !== 0;
      let length = buffer[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffer.length < 4) return frames;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) return frames;
        length = buffer.readUInt32BE(6);
        offset = 10;
      }
      const maskOffset = offset;
      if (masked) offset += 4;
      if (buffer.length < offset + length) return frames;
      const payload = Buffer.from(buffer.subarray(offset, offset + length));
      if (masked) for (let index = 0; index < payload.length; index++) payload[index]! ^= buffer[maskOffset + (index % 4)]!;
      frames.push({ opcode: buffer[0]! & 0x0f, payload });
      this.#buffer = buffer.subarray(offset + length);
    }
  }
}
