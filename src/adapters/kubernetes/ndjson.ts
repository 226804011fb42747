// Newline-delimited JSON from a byte stream (a watch): lines are cut on the bytes and each one
// decoded once, without readline's string decoder and line-ending regular expression. A drain
// makes thousands of pod events a second; this is where their bytes turn into text.

const NEWLINE = 0x0a
const RETURN = 0x0d

/** A `data` listener that calls `onLine` with the text of each complete, non-blank line. */
export function lineSplitter(onLine: (line: string) => void): (chunk: Buffer) => void {
  // The start of a line whose end has not arrived yet, in the chunks it came in.
  let pending: Buffer[] = []
  return (chunk) => {
    let end = chunk.indexOf(NEWLINE)
    if (end < 0) {
      pending.push(chunk)
      return
    }
    let data = chunk
    if (pending.length > 0) {
      const head = Buffer.concat(pending)
      pending = []
      data = Buffer.concat([head, chunk])
      end += head.length
    }
    let start = 0
    while (end >= 0) {
      const stop = end > start && data[end - 1] === RETURN ? end - 1 : end
      const line = data.toString('utf8', start, stop)
      if (line.trim()) onLine(line)
      start = end + 1
      end = data.indexOf(NEWLINE, start)
    }
    // A copy: the chunk's memory may be a slice of a larger pooled buffer.
    if (start < data.length) pending.push(Buffer.from(data.subarray(start)))
  }
}
