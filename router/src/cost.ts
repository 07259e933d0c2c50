import {
  GraphQLError,
  GraphQLInt,
  Kind,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  valueFromAST,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { fragmentsOf, withVariableDefaults, type PageSizeLimits } from './page-sizes';

/**
 * The cost of an operation: how many values it resolves, estimated before planning. Every field
 * counts once per item of each list around it, and a list counts its page size: `first` (literal
 * or variable), else the argument's SDL default, else its `@pageSize(max)`. A connection's size
 * (`products(first: 50)`) applies to the list inside it (`edges`). A list with no @pageSize counts
 * UNANNOTATED_LIST_SIZE. Introspection (`__schema`, `__type`: not fields of the query type) counts
 * 1: its own nesting rules (limits.ts) bound it, and it is off in production.
 *
 * Fragments are costed once each (memoized), so a fragment bomb costs document-size work.
 */
export const UNANNOTATED_LIST_SIZE = 100;

/** Past this the number means "astronomically more than any limit"; it keeps arithmetic finite. */
const CEILING = Number.MAX_SAFE_INTEGER;

export function operationCost(
  schema: GraphQLSchema,
  sizes: PageSizeLimits,
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  variables: Record<string, unknown> | undefined,
): number {
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  // A variable left out takes its declared default (`$n: Int = 60`).
  const values = withVariableDefaults(operation, variables);
  const memo = new Map<string, number>();
  const visiting = new Set<string>();

  /** Cost of one selection set resolved once on `parent`; `inherited` is an enclosing connection's page size. */
  const costOf = (set: SelectionSetNode, parent: GraphQLCompositeType, inherited: number | undefined): number => {
    let total = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        total += 1;
        if (!sel.selectionSet || (!isObjectType(parent) && !isInterfaceType(parent))) continue;
        const def = parent.getFields()[sel.name.value];
        const type = def && getNamedType(def.type);
        if (!def || !type || !isCompositeType(type)) continue;
        const max = sizes.get(`${parent.name}.${def.name}`);
        let requested: number | undefined;
        const firstDef = def.args.find((a) => a.name === 'first');
        if (max !== undefined && firstDef) {
          const arg = sel.arguments?.find((a) => a.name.value === 'first');
          const given = arg ? (valueFromAST(arg.value, GraphQLInt, values) as number | null | undefined) : undefined;
          const fallback = typeof firstDef.defaultValue === 'number' ? firstDef.defaultValue : undefined;
          requested = typeof given === 'number' ? given : fallback;
        }
        const pageSize = max === undefined ? undefined : Math.max(0, Math.min(requested ?? max, max));
        const isList = isListType(getNullableType(def.type));
        // A list multiplies what it selects; a connection hands its page size to the list inside.
        const size = isList ? (pageSize ?? inherited ?? UNANNOTATED_LIST_SIZE) : 1;
        total += Math.min(CEILING, size * costOf(sel.selectionSet, type, isList ? undefined : pageSize));
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const type = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
        if (type && isCompositeType(type)) total += costOf(sel.selectionSet, type, inherited);
      } else {
        const name = sel.name.value;
        const frag = fragments.get(name);
        const type = frag && schema.getType(frag.typeCondition.name.value);
        // Unknown or cyclic spreads are graphql's own validation errors; count them 1 here.
        if (!frag || !type || !isCompositeType(type) || visiting.has(name)) {
          total += 1;
          continue;
        }
        const key = `${name}:${inherited ?? ''}`;
        let cost = memo.get(key);
        if (cost === undefined) {
          visiting.add(name);
          cost = costOf(frag.selectionSet, type, inherited);
          visiting.delete(name);
          memo.set(key, cost);
        }
        total += cost;
      }
      if (total >= CEILING) return CEILING;
    }
    return total;
  };
  return costOf(operation.selectionSet, root, undefined);
}

export const formatCount = (n: number) => (n >= CEILING ? 'more than 9 quadrillion' : n.toLocaleString('en-US'));

/** The error of an operation over MAX_COST: which limit, the limit and the estimate. */
export function costError(cost: number, maxCost: number): GraphQLError {
  return new GraphQLError(
    `The operation's estimated cost is ${formatCount(cost)} (each field once per item of the lists around it, ` +
      `lists at their page size); the limit (MAX_COST) is ${formatCount(maxCost)}. Ask for smaller pages or fewer nested lists.`,
    { extensions: { code: 'OPERATION_TOO_COMPLEX', limit: 'MAX_COST', max: maxCost, actual: cost } },
  );
}

/** Refuses an operation whose estimated cost is over `maxCost`, before planning (400, OPERATION_TOO_COMPLEX). */
export function enforceCost(sizes: PageSizeLimits, maxCost: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, operation, document, request }) {
          if (!operation) return;
          const cost = operationCost(schema, sizes, operation, fragmentsOf(document), request.variables);
          if (cost <= maxCost) return;
          const error = costError(cost, maxCost);
          throw new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status: 400 } } });
        },
      };
    },
  };
}
