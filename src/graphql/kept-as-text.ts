// Declarations read by the server's kept-text answers (src/server/list-answer-cache.ts): which
// answers may be kept as JSON text between requests. They are type-graphql field extensions, so a
// field says it on itself, and a field that says nothing makes any selection of it run as usual.
import type { GraphQLField, GraphQLResolveInfo } from 'graphql'
import { Extensions, UseMiddleware, type MiddlewareFn } from 'type-graphql'

/** The field extension: 'element' on a field below a kept list, 'list' on the list at the query root. */
export const KEPT_AS_TEXT = 'keptAsText'

export type KeptAsText = 'element' | 'list'

export function keptAsTextOf(field: GraphQLField<unknown, unknown> | undefined): KeptAsText | undefined {
  const value = field?.extensions[KEPT_AS_TEXT]
  return value === 'element' || value === 'list' ? value : undefined
}

/**
 * On a field whose answer is a function of its source object alone: no arguments, no caller, no
 * clock, no database. A kept list's element selecting only such fields is answered once and its
 * text reused while the element object stays the same.
 */
export const KeptAsTextElement = () => Extensions({ [KEPT_AS_TEXT]: 'element' satisfies KeptAsText })

/**
 * On a list field of the query root whose resolver hands out the same frozen element object until
 * the thing it describes changes: its elements' answers are kept as text, keyed on that object.
 */
export function KeptAsTextList(): MethodDecorator {
  const extension = Extensions({ [KEPT_AS_TEXT]: 'list' satisfies KeptAsText })
  const middleware = UseMiddleware(handOver)
  return (target, key, descriptor) => {
    extension(target, key, descriptor)
    middleware(target, key, descriptor)
  }
}

const waiting = new WeakMap<object, Map<string, unknown>>()

/** Runs `answer` with the kept lists' answers of this request (by response key) gathered into `into`. */
export async function gatherListAnswers<T>(context: object, into: Map<string, unknown>, answer: () => Promise<T> | T): Promise<T> {
  waiting.set(context, into)
  try {
    return await answer()
  } finally {
    waiting.delete(context)
  }
}

/** Hands a kept list's answer to the request gathering it (see gatherListAnswers); for a resolver of a kept list. */
export function handOverListAnswer(context: unknown, info: GraphQLResolveInfo, answer: unknown): void {
  if (typeof context === 'object' && context !== null) waiting.get(context)?.set(String(info.path.key), answer)
}

const handOver: MiddlewareFn = async ({ context, info }, next) => {
  const answer: unknown = await next()
  handOverListAnswer(context, info, answer)
  return answer
}
