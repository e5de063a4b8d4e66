import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

const CHUNK = 1 << 20;

/** What a written file amounts to: its size and SHA-256, as the manifest records them. */
export interface WrittenFile {
  bytes: number;
  sha256: string;
}

/**
 * A file written in 1 MiB chunks and hashed on the way. `write` only fills memory; the
 * caller awaits `flush()` between batches of rows, so memory stays at a chunk or two
 * whatever the file's size, and no file is read back to be hashed. Written chunks are
 * reused: a fresh megabyte per chunk left the allocator holding on to freed ones.
 */
export class HashingFile {
  private buffer: Buffer = Buffer.allocUnsafe(CHUNK);
  private offset = 0;
  private pending: { bytes: Uint8Array; chunk: Buffer | null }[] = [];
  private readonly spare: Buffer[] = [];
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  /** Creates the file; one that exists is an error, never overwritten by accident. */
  static async create(path: string): Promise<HashingFile> {
    return new HashingFile(path, await open(path, 'wx'));
  }

  /** Appends text as UTF-8. */
  write(text: string): void {
    // A UTF-16 code unit takes at most 3 bytes of UTF-8.
    if (text.length * 3 > CHUNK - this.offset) {
      this.seal();
      if (text.length * 3 > CHUNK) {
        this.push(Buffer.from(text, 'utf8'), null);
        return;
      }
    }
    this.offset += this.buffer.write(text, this.offset);
  }

  /** Appends bytes (a PDF writer's output, which comes in many small pieces). */
  writeBytes(bytes: Uint8Array): void {
    if (bytes.length > CHUNK - this.offset) {
      this.seal();
      if (bytes.length > CHUNK / 2) {
        this.push(Buffer.from(bytes), null);
        return;
      }
    }
    this.buffer.set(bytes, this.offset);
    this.offset += bytes.length;
  }

  /** Writes out what has been filled; awaited between batches, it keeps memory bounded. */
  async flush(): Promise<void> {
    if (this.offset >= CHUNK / 2) this.seal();
    const pending = this.pending;
    this.pending = [];
    for (const { bytes, chunk } of pending) {
      await this.handle.write(bytes);
      if (chunk && this.spare.length < 2) this.spare.push(chunk);
    }
  }

  async close(): Promise<WrittenFile> {
    this.seal();
    try {
      await this.flush();
    } finally {
      await this.handle.close();
    }
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  /** Closes without caring for the result (an export that failed). */
  async abandon(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }

  private seal(): void {
    if (this.offset === 0) return;
    const chunk = this.buffer;
    const filled = chunk.subarray(0, this.offset);
    this.buffer = this.spare.pop() ?? Buffer.allocUnsafe(CHUNK);
    this.offset = 0;
    this.push(filled, chunk);
  }

  private push(bytes: Uint8Array, chunk: Buffer | null): void {
    this.hash.update(bytes);
    this.bytes += bytes.length;
    this.pending.push({ bytes, chunk });
  }
}
