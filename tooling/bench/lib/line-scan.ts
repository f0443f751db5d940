import { createReadStream } from 'node:fs';

/**
 * One streaming pass over a JSONL file of any size: the number of lines, the first `keepFirst`
 * lines and the last one, in bounded memory. Used to check "events in = lines out" on 1 GB files.
 */
export interface LineScan {
  lines: number;
  first: string[];
  last: string | undefined;
  /** The file does not end with a newline (a torn last record). */
  unterminated: boolean;
}

export async function scanLines(file: string, keepFirst = 0, chunkBytes = 1 << 20): Promise<LineScan> {
  let lines = 0;
  const first: string[] = [];
  let last: string | undefined;
  // Bytes of the line in progress (started in an earlier chunk, no newline yet).
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(file, { highWaterMark: chunkBytes })) {
    const buf = chunk as Buffer;
    const carried = carry;
    let from = 0;
    let lastStart = -1;
    let lastEnd = -1;
    for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, from)) {
      if (first.length < keepFirst) first.push(Buffer.concat([from === 0 ? carried : Buffer.alloc(0), buf.subarray(from, nl)]).toString('utf8'));
      lastStart = from;
      lastEnd = nl;
      lines += 1;
      from = nl + 1;
    }
    if (lastEnd >= 0) {
      // The chunk's last complete line; when it is also its first, it began in an earlier chunk.
      last = lastStart === 0 ? Buffer.concat([carried, buf.subarray(0, lastEnd)]).toString('utf8') : buf.toString('utf8', lastStart, lastEnd);
      carry = buf.subarray(from);
    } else {
      carry = Buffer.concat([carried, buf]);
    }
  }
  return { lines, first, last, unterminated: carry.length > 0 };
}
