import { GraphQLError } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';

/** Subscriptions need a socket: over HTTP they answer 400 with a pointer to graphql-ws. */
export function refuseHttpSubscriptions<C extends object>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation === 'subscription') {
            throw new GraphQLError('Subscriptions run over graphql-ws: connect to ws://…/graphql.', {
              extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
