import { GraphQLError, Kind, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import type { TokenRejectionReason } from './auth';

/** A token the router refused for this request; the operation then runs anonymously, or not at all. */
export interface TokenProblem {
  reason: TokenRejectionReason;
  message: string;
}

/**
 * Root fields that run whatever access token is attached (a rejected one is simply ignored):
 * the sign-in flows, which a client reaches exactly when its access token has expired or its
 * session has ended. `__typename` is harmless anywhere.
 */
export const AUTH_EXEMPT_FIELDS: Readonly<Record<OperationDefinitionNode['operation'], ReadonlySet<string>>> = {
  query: new Set(['__typename']),
  mutation: new Set(['__typename', 'refresh', 'logout', 'login', 'register', 'requestPasswordReset', 'resetPassword', 'verifyEmail']),
  subscription: new Set(),
};

/**
 * Every root field name the operation selects, through fragments and inline fragments alike
 * (directives are not evaluated: a field under `@skip(if: true)` still counts, the strict reading).
 */
export function rootFieldNames(document: DocumentNode, operation: OperationDefinitionNode): Set<string> {
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d.selectionSet] as const] : [])),
  );
  const names = new Set<string>();
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode) => {
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) names.add(s.name.value);
      else if (s.kind === Kind.INLINE_FRAGMENT) walk(s.selectionSet);
      else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        const f = fragments.get(s.name.value);
        if (f) walk(f);
      }
    }
  };
  walk(operation.selectionSet);
  return names;
}

/**
 * Refuses an operation sent with a rejected access token (HTTP 401, `www-authenticate`, and
 * UNAUTHENTICATED with the token's `reason`) unless every root field is auth-exempt, so
 * `refresh` with an expired token works while `me` with one tells the client to refresh.
 */
export function tokenGate<C extends { tokenProblem?: TokenProblem }>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, document, operation }) {
          const problem = contextValue.tokenProblem;
          if (!problem || !operation) return;
          const exempt = AUTH_EXEMPT_FIELDS[operation.operation];
          if ([...rootFieldNames(document, operation)].every((name) => exempt.has(name))) return;
          throw new GraphQLError(problem.message, {
            extensions: {
              code: 'UNAUTHENTICATED',
              reason: problem.reason,
              // Apollo wants a Map here; graphql-yoga's global augmentation types it as a record.
              http: {
                status: 401,
                headers: new HeaderMap([['www-authenticate', 'Bearer error="invalid_token"']]) as unknown as Record<string, string>,
              },
            },
          });
        },
      };
    },
  };
}
