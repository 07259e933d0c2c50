/**
 * The operations of the example client, written as a frontend team would with codegen's client
 * preset: `graphql()` returns a typed document, so results and variables are checked against
 * schema/api.graphql by `npm run check:types`.
 */
import { graphql } from './__generated__';

export const SignIn = graphql(`
  mutation SignIn($email: String!, $password: String!, $refreshTokenIn: RefreshTokenDelivery) {
    login(input: { email: $email, password: $password }, refreshTokenIn: $refreshTokenIn) {
      accessToken
      refreshToken
      expiresIn
      user {
        id
        firstName
      }
    }
  }
`);

export const Refresh = graphql(`
  mutation Refresh($refreshToken: String) {
    refresh(refreshToken: $refreshToken) {
      accessToken
      refreshToken
      expiresIn
    }
  }
`);

export const SignOut = graphql(`
  mutation SignOut($refreshToken: String) {
    logout(refreshToken: $refreshToken)
  }
`);

/** A storefront page: public data plus who is signed in (null for anonymous visitors). */
export const StorefrontPage = graphql(`
  query StorefrontPage($first: Int, $search: String) {
    me {
      id
      firstName
    }
    products(first: $first, filter: { search: $search }) {
      totalCount
      edges {
        node {
          id
          title
          slug
          price {
            amount
            currency
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);
