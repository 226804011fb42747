import { describe, expect, it } from 'vitest'
import { lineSplitter } from '../../src/adapters/kubernetes/ndjson.js'

function split(chunks: (string | Buffer)[]): string[] {
  const lines: string[] = []
  const onData = lineSplitter((line) => lines.push(line))
  for (const chunk of chunks) onData(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  return lines
}

describe('lineSplitter', () => {
  it('gives every complete line of a chunk, in order', () => {
    expect(split(['{"a":1}\n{"b":2}\n'])).toEqual(['{"a":1}', '{"b":2}'])
  })

  it('joins a line that arrives in several chunks, and keeps an unfinished last line until its end arrives', () => {
    expect(split(['{"type":"ADD', 'ED","obj', 'ect":{}}\n{"x"'])).toEqual(['{"type":"ADDED","object":{}}'])
    expect(split(['{"type":"ADD', 'ED"}\n{"x"', ':1}\n'])).toEqual(['{"type":"ADDED"}', '{"x":1}'])
  })

  it('drops blank lines and the carriage return of CRLF endings', () => {
    expect(split(['\n{"a":1}\r\n  \n\r\n{"b":2}\n'])).toEqual(['{"a":1}', '{"b":2}'])
  })

  it('decodes a multi-byte character split between two chunks', () => {
    const bytes = Buffer.from('{"name":"é ü 日本"}\n')
    const cut = bytes.indexOf(Buffer.from('日')) + 1
    expect(split([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(['{"name":"é ü 日本"}'])
  })

  it('does not keep a view into a reused chunk buffer', () => {
    const chunk = Buffer.from('{"a":1}\n{"b"')
    const lines: string[] = []
    const onData = lineSplitter((line) => lines.push(line))
    onData(chunk)
    chunk.fill(0x20)
    onData(Buffer.from(':2}\n'))
    expect(lines).toEqual(['{"a":1}', '{"b":2}'])
  })
})
