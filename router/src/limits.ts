import { GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext } from 'graphql';

/**
 * Operation limits, as validation rules: depth of selections, number of aliases and a simple
 * cost (every field counts 1, fragments expanded). Introspection's own __schema tree counts too,
 * so the limits must leave room for GraphiQL's introspection query outside production.
 */
export interface OperationLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
}

export function limitRules(limits: OperationLimits) {
  return [
    (context: ValidationContext): ASTVisitor => ({
      OperationDefinition(node) {
        const fragments = new Map<string, FragmentDefinitionNode>();
        for (const def of context.getDocument().definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
        const stats = { depth: 0, aliases: 0, cost: 0, budget: limits.maxCost };
        walk(node.selectionSet, 1, fragments, new Set(), stats);
        const fail = (message: string) =>
          context.reportError(new GraphQLError(message, { nodes: [node], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
        if (stats.depth > limits.maxDepth) fail(`The operation is nested ${stats.depth} levels deep; the limit is ${limits.maxDepth}.`);
        if (stats.aliases > limits.maxAliases) fail(`The operation uses ${stats.aliases} aliases; the limit is ${limits.maxAliases}.`);
        if (stats.cost > limits.maxCost) fail(`The operation selects ${stats.cost} fields; the limit is ${limits.maxCost}.`);
      },
    }),
  ];
}

function walk(
  set: SelectionSetNode,
  depth: number,
  fragments: Map<string, FragmentDefinitionNode>,
  visiting: Set<string>,
  stats: { depth: number; aliases: number; cost: number; budget: number },
): void {
  for (const sel of set.selections) {
    // Stop expanding once over budget, so nested fragment spreads cannot make this walk explode.
    if (stats.cost > stats.budget) return;
    if (sel.kind === Kind.FIELD) {
      stats.cost++;
      if (sel.alias) stats.aliases++;
      stats.depth = Math.max(stats.depth, depth);
      if (sel.selectionSet) walk(sel.selectionSet, depth + 1, fragments, visiting, stats);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      walk(sel.selectionSet, depth, fragments, visiting, stats);
    } else {
      const name = sel.name.value;
      const frag = fragments.get(name);
      // Cycles and unknown fragments are reported by graphql's own rules; just don't loop here.
      // Such a spread still costs 1: otherwise a bomb of fragments whose only leaves are cyclic
      // or unknown spreads costs nothing, never trips the budget and is expanded exponentially.
      if (!frag || visiting.has(name)) {
        stats.cost++;
        continue;
      }
      visiting.add(name);
      walk(frag.selectionSet, depth, fragments, visiting, stats);
      visiting.delete(name);
    }
  }
}
