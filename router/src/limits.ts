import {
  GraphQLError,
  Kind,
  type ASTNode,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

/**
 * Operation limits on the document's shape, as validation rules: depth of selections, aliases,
 * root fields, directives, and how deep introspection nests. The cost (lists weighted by their page
 * size) needs the variables, so cost.ts checks it after validation; `maxCost` here only bounds
 * this walk, since every field visited costs at least 1 there.
 *
 * Introspection (`__schema`, `__type`) has its own nesting rules, so that the standard
 * introspection query of graphql-js (GraphiQL, Sandbox, codegen) passes wherever introspection
 * is on: its `ofType` chains may nest INTROSPECTION_MAX_DEPTH deep rather than MAX_DEPTH. It is no
 * amplification path: graphql's own MaxIntrospectionDepthRule (in specifiedRules, which Apollo
 * runs with these) refuses `fields`, `interfaces`, `possibleTypes` or `inputFields` nested three
 * times on one path ("Maximum introspection depth exceeded").
 */
export interface OperationLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  maxRootFields: number;
  maxDirectives: number;
}

export const INTROSPECTION_MAX_DEPTH = 20;

interface Stats {
  depth: number;
  aliases: number;
  rootFields: number;
  introDepth: number;
  visited: number;
  budget: number;
}

/** Where a walk is: the depth of plain fields, and inside introspection, its own depth. */
interface At {
  depth: number;
  introDepth: number | null;
}

export function limitRules(limits: OperationLimits) {
  return [
    (context: ValidationContext): ASTVisitor => {
      let directives = 0;
      return {
        Directive() {
          directives++;
        },
        Document: {
          leave(node) {
            if (directives > limits.maxDirectives)
              context.reportError(
                limitError(
                  `The operation uses ${directives} directives; the limit is ${limits.maxDirectives}.`,
                  'MAX_DIRECTIVES',
                  limits.maxDirectives,
                  directives,
                  node,
                ),
              );
          },
        },
        OperationDefinition(node) {
          const fragments = new Map<string, FragmentDefinitionNode>();
          for (const def of context.getDocument().definitions)
            if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
          const stats: Stats = { depth: 0, aliases: 0, rootFields: 0, introDepth: 0, visited: 0, budget: limits.maxCost };
          walk(node.selectionSet, { depth: 1, introDepth: null }, fragments, new Set(), stats);
          const fail = (message: string, limit: string, max: number, actual: number) =>
            context.reportError(limitError(message, limit, max, actual, node));
          if (stats.depth > limits.maxDepth)
            fail(
              `The operation is nested ${stats.depth} levels deep; the limit is ${limits.maxDepth}.`,
              'MAX_DEPTH',
              limits.maxDepth,
              stats.depth,
            );
          if (stats.aliases > limits.maxAliases)
            fail(
              `The operation uses ${stats.aliases} aliases; the limit is ${limits.maxAliases}.`,
              'MAX_ALIASES',
              limits.maxAliases,
              stats.aliases,
            );
          if (stats.rootFields > limits.maxRootFields)
            fail(
              `The operation selects ${stats.rootFields} root fields; the limit is ${limits.maxRootFields}.`,
              'MAX_ROOT_FIELDS',
              limits.maxRootFields,
              stats.rootFields,
            );
          if (stats.introDepth > INTROSPECTION_MAX_DEPTH)
            fail(
              `The introspection is nested ${stats.introDepth} levels deep; the limit is ${INTROSPECTION_MAX_DEPTH}.`,
              'INTROSPECTION_MAX_DEPTH',
              INTROSPECTION_MAX_DEPTH,
              stats.introDepth,
            );
        },
      };
    },
  ];
}

/** A limit's error: the message says which limit and by how much; `extensions` say it for programs. */
function limitError(message: string, limit: string, max: number, actual: number, node: ASTNode) {
  return new GraphQLError(message, { nodes: [node], extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit, max, actual } });
}

function walk(set: SelectionSetNode, at: At, fragments: Map<string, FragmentDefinitionNode>, visiting: Set<string>, stats: Stats): void {
  for (const sel of set.selections) {
    // Stop once over budget, so nested fragment spreads cannot make this walk explode; the cost
    // check then refuses the operation (each visit here costs at least 1 there).
    if (stats.visited > stats.budget) return;
    if (sel.kind === Kind.FIELD) {
      stats.visited++;
      if (sel.alias) stats.aliases++;
      if (at.depth === 1 && at.introDepth === null) stats.rootFields++;
      let next: At;
      if (at.introDepth !== null || (sel.selectionSet && sel.name.value.startsWith('__'))) {
        // Inside `__schema` / `__type` (or at it): introspection's own depth.
        const introDepth = (at.introDepth ?? 0) + 1;
        stats.introDepth = Math.max(stats.introDepth, introDepth);
        next = { depth: at.depth, introDepth };
      } else {
        stats.depth = Math.max(stats.depth, at.depth);
        next = { depth: at.depth + 1, introDepth: null };
      }
      if (sel.selectionSet) walk(sel.selectionSet, next, fragments, visiting, stats);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      walk(sel.selectionSet, at, fragments, visiting, stats);
    } else {
      const name = sel.name.value;
      const frag = fragments.get(name);
      // Cycles and unknown fragments are reported by graphql's own rules; just don't loop here.
      // Such a spread still counts against the budget: otherwise a bomb of fragments whose only
      // leaves are cyclic or unknown spreads visits no field and is expanded exponentially.
      if (!frag || visiting.has(name)) {
        stats.visited++;
        continue;
      }
      visiting.add(name);
      walk(frag.selectionSet, at, fragments, visiting, stats);
      visiting.delete(name);
    }
  }
}
