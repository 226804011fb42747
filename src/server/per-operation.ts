import type { DocumentNode } from 'graphql'

/**
 * Memoises `make` per parsed document and operation name. Apollo keeps one DocumentNode per
 * distinct query text in its document store, so what is made lives as long as that document.
 */
export function perOperation<T>(make: (document: DocumentNode, operationName: string | undefined) => T): (document: DocumentNode, operationName: string | undefined) => T {
  const made = new WeakMap<DocumentNode, Map<string, T>>()
  return (document, operationName) => {
    let byOperation = made.get(document)
    if (!byOperation) made.set(document, (byOperation = new Map()))
    const key = operationName ?? ''
    if (!byOperation.has(key)) byOperation.set(key, make(document, operationName))
    return byOperation.get(key)!
  }
}
