import { GraphQLDateTime, GraphQLJSON } from 'graphql-scalars'
import type { ScalarsTypeMap } from 'type-graphql'

export { GraphQLDateTime as DateTimeScalar, GraphQLJSON as JSONScalar }

/** `Date` properties become the contract's `DateTime` (ISO-8601, UTC). */
export const scalarsMap: ScalarsTypeMap[] = [{ type: Date, scalar: GraphQLDateTime }]
