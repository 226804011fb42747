// Keeps the JSON text of each element of a large list answer, keyed on the element's source
// object, so that asking again for an unchanged node costs a map lookup instead of building its
// result and serialising it. The `nodes` query with every workload is 13 MB at 5,000 nodes; a
// portal polls it, and between two polls few nodes change.
//
// A query qualifies when a list field declared @KeptAsTextList selects only fields declared
// @KeptAsTextElement below it (src/graphql/kept-as-text.ts), with no arguments and no directives.
// It then runs in two parts: the operation with each such list's selection cut to `__typename`
// (authorisation, arguments and the list's resolver run as always, and the resolver hands its
// answer over), then the cut selection once per element, against a schema whose root field
// returns the element itself. Anything unusual (an error, a changed list) answers null, and the
// caller runs the query the ordinary way.
import { GraphQLObjectType, GraphQLSchema, getNamedType, getOperationAST, isObjectType, Kind, print, type DocumentNode, type ExecutionResult, type FieldNode, type FragmentDefinitionNode, type GraphQLNamedType, type OperationDefinitionNode, type SelectionSetNode } from 'graphql'
// graphql-jit compiles the element selection once into a function: at 5,000 nodes with workloads
// a fresh answer resolves ~700,000 fields, which graphql-js spends most of a second walking.
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit'
import { gatherListAnswers, keptAsTextOf } from '../graphql/kept-as-text.js'
import { JsonTexts } from './json-stream.js'
import { perOperation } from './per-operation.js'

/** Distinct element selections whose answers are kept (about 13 MB each for all nodes with workloads). */
const SELECTIONS_KEPT = 4

interface CachedList {
  /** Response key (alias or name) of the list field. */
  key: string
  elementType: GraphQLObjectType
  itemDocument: DocumentNode
  /** The element type and `{ item { …the list's selection… } }` with the fragments it uses, printed: the answers' key. */
  itemQuery: string
}

interface Split {
  /** The operation with each cached list's selection cut to `__typename`. */
  outer: CompiledQuery
  lists: CachedList[]
}

interface ElementAnswers {
  query: CompiledQuery
  texts: WeakMap<object, string>
}

export interface ListAnswerCacheOptions {
  /** Told, per cached list answered, how many elements came from kept text and how many were made. */
  counted?: (kept: number, made: number) => void
}

export class ListAnswerCache {
  private readonly split = perOperation((document, operationName) => {
    const operation = getOperationAST(document, operationName)
    return operation ? this.splitOf(document, operation) : null
  })
  private readonly answers = new Map<string, ElementAnswers>()
  private readonly itemSchemas = new Map<GraphQLObjectType, GraphQLSchema>()

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly options: ListAnswerCacheOptions = {},
  ) {}

  /** The query's result with cached lists as JsonTexts, or null when it is to be run the ordinary way. */
  async execute(document: DocumentNode, operationName: string | undefined, context: object, variables: Record<string, unknown>): Promise<ExecutionResult | null> {
    const split = this.split(document, operationName)
    if (!split) return null
    const lists = new Map<string, unknown>()
    const result = await gatherListAnswers(context, lists, () => split.outer.query(undefined, context, variables))
    if (result.errors?.length || !result.data) return null
    const data = result.data as Record<string, unknown>
    for (const list of split.lists) {
      const sources = lists.get(list.key)
      const cut = data[list.key]
      if (!Array.isArray(sources) || !Array.isArray(cut) || cut.length !== sources.length) return null
      const texts = await this.elementTexts(list, sources, context)
      if (!texts) return null
      data[list.key] = new JsonTexts(texts)
    }
    return result
  }

  private async elementTexts(list: CachedList, sources: unknown[], context: object): Promise<string[] | null> {
    const answers = this.elementAnswers(list)
    const texts = new Array<string>(sources.length)
    let made = 0
    for (let i = 0; i < sources.length; i++) {
      const source = sources[i]
      if (typeof source !== 'object' || source === null) return null
      let text = answers.texts.get(source)
      if (text === undefined) {
        const pending = answers.query.query(source, context, {})
        const one = pending instanceof Promise ? await pending : pending
        if (one.errors?.length || !one.data) return null
        text = JSON.stringify((one.data as { item: unknown }).item)
        answers.texts.set(source, text)
        made++
      }
      texts[i] = text
    }
    this.options.counted?.(sources.length - made, made)
    return texts
  }

  private elementAnswers(list: CachedList): ElementAnswers {
    let answers = this.answers.get(list.itemQuery)
    if (answers) {
      // Most recently used last, so the first is the one to drop.
      this.answers.delete(list.itemQuery)
    } else {
      const query = compileQuery(this.itemSchema(list.elementType), list.itemDocument)
      if (!isCompiledQuery(query)) throw new Error(`element query did not compile: ${query.errors?.map((e) => e.message).join('; ')}`)
      answers = { query, texts: new WeakMap() }
      if (this.answers.size >= SELECTIONS_KEPT) this.answers.delete(this.answers.keys().next().value!)
    }
    this.answers.set(list.itemQuery, answers)
    return answers
  }

  private itemSchema(elementType: GraphQLObjectType): GraphQLSchema {
    let schema = this.itemSchemas.get(elementType)
    if (!schema) {
      const root = new GraphQLObjectType({ name: 'ListElementRoot', fields: { item: { type: elementType, resolve: (source: unknown) => source } } })
      this.itemSchemas.set(elementType, (schema = new GraphQLSchema({ query: root })))
    }
    return schema
  }

  private splitOf(document: DocumentNode, operation: OperationDefinitionNode): Split | null {
    const root = this.schema.getQueryType()
    if (operation.operation !== 'query' || !root) return null
    if (!operation.selectionSet.selections.every((s) => s.kind === Kind.FIELD)) return null
    const fields = operation.selectionSet.selections as readonly FieldNode[]
    const keyOf = (field: FieldNode) => field.alias?.value ?? field.name.value
    const fragments = new Map<string, FragmentDefinitionNode>()
    for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition)
    const lists: CachedList[] = []
    const selections = fields.map((field): FieldNode => {
      if (!field.selectionSet || field.directives?.length || keptAsTextOf(root.getFields()[field.name.value]) !== 'list') return field
      // The same response key twice is one field to GraphQL, with the selections merged.
      if (fields.filter((f) => keyOf(f) === keyOf(field)).length > 1) return field
      const elementType = getNamedType(root.getFields()[field.name.value]!.type)
      const used = new Set<string>()
      if (!isObjectType(elementType) || !this.selectsOnlyElementFields(field.selectionSet, elementType, fragments, used)) return field
      const itemDocument = elementDocument(field.selectionSet, [...used].map((f) => fragments.get(f)!))
      lists.push({ key: keyOf(field), elementType, itemDocument, itemQuery: `${elementType.name} ${print(itemDocument)}` })
      const typename: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } }
      const cut: SelectionSetNode = { kind: Kind.SELECTION_SET, selections: [typename] }
      return { ...field, selectionSet: cut }
    })
    if (lists.length === 0) return null
    const outerOperation: OperationDefinitionNode = { ...operation, selectionSet: { ...operation.selectionSet, selections } }
    const outerDocument: DocumentNode = { kind: Kind.DOCUMENT, definitions: document.definitions.map((d) => (d === operation ? outerOperation : d)) }
    const outer = compileQuery(this.schema, outerDocument, operation.name?.value)
    if (!isCompiledQuery(outer)) return null
    return { outer, lists }
  }

  private selectsOnlyElementFields(selectionSet: SelectionSetNode, type: GraphQLNamedType, fragments: Map<string, FragmentDefinitionNode>, used: Set<string>): boolean {
    if (!isObjectType(type)) return false
    for (const selection of selectionSet.selections) {
      if (selection.directives?.length) return false
      if (selection.kind === Kind.FIELD) {
        if (selection.arguments?.length) return false
        if (selection.name.value === '__typename') continue
        const field = type.getFields()[selection.name.value]
        if (keptAsTextOf(field) !== 'element') return false
        if (selection.selectionSet && !this.selectsOnlyElementFields(selection.selectionSet, getNamedType(field!.type), fragments, used)) return false
      } else {
        const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection
        if (!fragment) return false
        if (fragment.typeCondition && fragment.typeCondition.name.value !== type.name) return false
        if (selection.kind === Kind.FRAGMENT_SPREAD) {
          if (fragment.directives?.length) return false
          // Validation has refused cycles; a fragment already checked needs no second look.
          if (used.has(selection.name.value)) continue
          used.add(selection.name.value)
        }
        if (!this.selectsOnlyElementFields(fragment.selectionSet, type, fragments, used)) return false
      }
    }
    return true
  }
}

function elementDocument(selectionSet: SelectionSetNode, fragments: FragmentDefinitionNode[]): DocumentNode {
  const item: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: 'item' }, selectionSet }
  const operation: OperationDefinitionNode = { kind: Kind.OPERATION_DEFINITION, operation: 'query' as OperationDefinitionNode['operation'], selectionSet: { kind: Kind.SELECTION_SET, selections: [item] } }
  return { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] }
}
