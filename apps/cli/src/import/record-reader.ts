import { createReadStream } from 'node:fs';

export interface FileRecord {
  /** 1-based number of the record's first line in the file. */
  line: number;
  /** The record without its line terminator (`\n` or `\r\n`); a multi-line record joined by `\n`. */
  text: string;
  /** Byte offset just after the record, terminator included: where a resumed read starts. */
  end: number;
  /** The number of the record's last line (`line` unless it spans several). */
  lastLine: number;
}

export interface ReadOptions {
  /** Byte offset to start at (the start of a record). */
  start?: number;
  /** The line number of the record at `start`. */
  startLine?: number;
  /** For CSV: whether a record continues on the next line (an open quoted field). */
  continues?: (text: string) => boolean;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * The records of a text file with their byte offsets, read as a stream (the file is never held in
 * memory). Offsets are counted in bytes, so a resumed import seeks exactly past what was done.
 */
export async function* readRecords(path: string, options: ReadOptions = {}): AsyncGenerator<FileRecord> {
  const start = options.start ?? 0;
  let line = options.startLine ?? 1;
  let pending: Buffer = Buffer.alloc(0);
  let pendingStart = start;
  let open: { text: string; line: number } | undefined;

  const emit = (text: string, end: number): FileRecord | undefined => {
    const whole = open ? { text: `${open.text}\n${text}`, line: open.line } : { text, line };
    open = undefined;
    const lastLine = line;
    line += 1;
    if (options.continues?.(whole.text)) {
      open = whole;
      return undefined;
    }
    return { line: whole.line, text: whole.text, end, lastLine };
  };

  for await (const chunk of createReadStream(path, { start, highWaterMark: 1 << 20 })) {
    const buffer = pending.length ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
    let from = 0;
    for (let newline = buffer.indexOf(NEWLINE, from); newline >= 0; newline = buffer.indexOf(NEWLINE, from)) {
      const textEnd = newline > from && buffer[newline - 1] === CARRIAGE_RETURN ? newline - 1 : newline;
      const record = emit(buffer.toString('utf8', from, textEnd), pendingStart + newline + 1);
      if (record) yield record;
      from = newline + 1;
    }
    pending = buffer.subarray(from);
    pendingStart += from;
  }
  if (pending.length) {
    const record = emit(pending.toString('utf8'), pendingStart + pending.length);
    if (record) yield record;
  }
  // An unterminated quoted field at the end of the file: handed over as it is, to be refused.
  if (open) yield { line: open.line, text: open.text, end: pendingStart + pending.length, lastLine: line - 1 };
}
