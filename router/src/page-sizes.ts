import {
  GraphQLError,
  Kind,
  getNamedType,
  isCompositeType,
  isObjectType,
  isInterfaceType,
  parse,
  valueFromAST,
  valueFromASTUntyped,
  GraphQLInt,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';

/**
 * Page-size limits come from the schema: every list field taking `first` carries
 * `@pageSize(max: N)` in its subgraph's SDL (composed into the supergraph). The router checks
 * them before planning, so `product { reviews(first: 60) }` answers one BAD_USER_INPUT naming the
 * argument, rather than the subgraph failing the field and nulling its non-null parent.
 */
export type PageSizeLimits = ReadonlyMap<string, number>;

/** `Type.field` → max page size, read from the supergraph's `@pageSize` usages. */
export function pageSizeLimits(supergraphSdl: string): PageSizeLimits {
  const limits = new Map<string, number>();
  for (const def of parse(supergraphSdl).definitions) {
    if (!('fields' in def) || !def.fields || !('name' in def) || !def.name) continue;
    for (const field of def.fields) {
      if (field.kind !== Kind.FIELD_DEFINITION) continue;
      const directive = field.directives?.find((d) => d.name.value === 'pageSize');
      const max = directive?.arguments?.find((a) => a.name.value === 'max')?.value;
      if (max?.kind === Kind.INT) limits.set(`${def.name.value}.${field.name.value}`, Number(max.value));
    }
  }
  return limits;
}

interface Problem {
  message: string;
  fieldPath: string;
}

/** The first page-size violation in an operation, with the response path of the field. */
export function pageSizeProblem(
  schema: GraphQLSchema,
  limits: PageSizeLimits,
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  variables: Record<string, unknown> | undefined,
): Problem | null {
  const root = schema.getRootType(operation.operation);
  if (!root) return null;
  return walk(operation.selectionSet, root, [], {
    schema,
    limits,
    fragments,
    variables: withVariableDefaults(operation, variables),
    visiting: new Set(),
  });
}

/** The request's variables, plus the declared default of each one left out (`$n: Int = 60`). */
export function withVariableDefaults(
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const values: Record<string, unknown> = { ...variables };
  for (const def of operation.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    if (values[name] === undefined && def.defaultValue) values[name] = valueFromASTUntyped(def.defaultValue);
  }
  return values;
}

/** The document's fragment definitions by name. */
export function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  return fragments;
}

interface Walk {
  schema: GraphQLSchema;
  limits: PageSizeLimits;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  variables: Record<string, unknown> | undefined;
  visiting: Set<string>;
}

// Bounded: validation (the operation cost rule, fragments expanded) has already run.
function walk(set: SelectionSetNode, parent: GraphQLCompositeType, path: string[], w: Walk): Problem | null {
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (!isObjectType(parent) && !isInterfaceType(parent)) continue;
      const def = parent.getFields()[sel.name.value];
      if (!def) continue;
      const at = [...path, sel.alias?.value ?? sel.name.value];
      const max = w.limits.get(`${parent.name}.${def.name}`);
      const arg = sel.arguments?.find((a) => a.name.value === 'first');
      if (max !== undefined && arg) {
        const first = valueFromAST(arg.value, GraphQLInt, w.variables) as number | null | undefined;
        if (typeof first === 'number' && (first < 1 || first > max))
          return { message: `first must be between 1 and ${max} on ${parent.name}.${def.name}.`, fieldPath: at.join('.') };
      }
      const type = getNamedType(def.type);
      if (sel.selectionSet && isCompositeType(type)) {
        const found = walk(sel.selectionSet, type, at, w);
        if (found) return found;
      }
    } else {
      const name = sel.kind === Kind.FRAGMENT_SPREAD ? sel.name.value : null;
      const frag = name ? w.fragments.get(name) : null;
      if (name && (!frag || w.visiting.has(name))) continue;
      const condition = sel.kind === Kind.INLINE_FRAGMENT ? sel.typeCondition : frag!.typeCondition;
      const type = condition ? w.schema.getType(condition.name.value) : parent;
      if (!type || !isCompositeType(type)) continue;
      if (name) w.visiting.add(name);
      const found = walk(sel.kind === Kind.INLINE_FRAGMENT ? sel.selectionSet : frag!.selectionSet, type, path, w);
      if (name) w.visiting.delete(name);
      if (found) return found;
    }
  }
  return null;
}

/** Refuses an operation asking for a page larger than its field allows (400, BAD_USER_INPUT on `first`). */
export function enforcePageSizes(limits: PageSizeLimits): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, operation, document, request }) {
          if (!operation) return;
          const problem = pageSizeProblem(schema, limits, operation, fragmentsOf(document), request.variables);
          if (!problem) return;
          throw new GraphQLError(problem.message, {
            extensions: {
              code: 'BAD_USER_INPUT',
              field: 'first',
              fields: [{ path: 'first', message: problem.message }],
              fieldPath: problem.fieldPath,
              http: { status: 400 },
            },
          });
        },
      };
    },
  };
}
