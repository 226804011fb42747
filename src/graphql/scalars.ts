import { GraphQLDateTime, GraphQLJSON } from 'graphql-scalars'

export { GraphQLDateTime as DateTimeScalar, GraphQLJSON as JSONScalar }

/** `Date` properties become the contract's `DateTime` (ISO-8601, UTC). */
export const scalarsMap = [{ type: Date, scalar: GraphQLDateTime }]
