/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation SignIn($email: String!, $password: String!, $refreshTokenIn: RefreshTokenDelivery) {\n    login(input: { email: $email, password: $password }, refreshTokenIn: $refreshTokenIn) {\n      accessToken\n      refreshToken\n      expiresIn\n      user {\n        id\n        firstName\n      }\n    }\n  }\n": typeof types.SignInDocument,
    "\n  mutation Refresh($refreshToken: String) {\n    refresh(refreshToken: $refreshToken) {\n      accessToken\n      refreshToken\n      expiresIn\n    }\n  }\n": typeof types.RefreshDocument,
    "\n  mutation SignOut($refreshToken: String) {\n    logout(refreshToken: $refreshToken)\n  }\n": typeof types.SignOutDocument,
    "\n  query StorefrontPage($first: Int, $search: String) {\n    me {\n      id\n      firstName\n    }\n    products(first: $first, filter: { search: $search }) {\n      totalCount\n      edges {\n        node {\n          id\n          title\n          slug\n          price {\n            amount\n            currency\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.StorefrontPageDocument,
};
const documents: Documents = {
    "\n  mutation SignIn($email: String!, $password: String!, $refreshTokenIn: RefreshTokenDelivery) {\n    login(input: { email: $email, password: $password }, refreshTokenIn: $refreshTokenIn) {\n      accessToken\n      refreshToken\n      expiresIn\n      user {\n        id\n        firstName\n      }\n    }\n  }\n": types.SignInDocument,
    "\n  mutation Refresh($refreshToken: String) {\n    refresh(refreshToken: $refreshToken) {\n      accessToken\n      refreshToken\n      expiresIn\n    }\n  }\n": types.RefreshDocument,
    "\n  mutation SignOut($refreshToken: String) {\n    logout(refreshToken: $refreshToken)\n  }\n": types.SignOutDocument,
    "\n  query StorefrontPage($first: Int, $search: String) {\n    me {\n      id\n      firstName\n    }\n    products(first: $first, filter: { search: $search }) {\n      totalCount\n      edges {\n        node {\n          id\n          title\n          slug\n          price {\n            amount\n            currency\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.StorefrontPageDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignIn($email: String!, $password: String!, $refreshTokenIn: RefreshTokenDelivery) {\n    login(input: { email: $email, password: $password }, refreshTokenIn: $refreshTokenIn) {\n      accessToken\n      refreshToken\n      expiresIn\n      user {\n        id\n        firstName\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SignIn($email: String!, $password: String!, $refreshTokenIn: RefreshTokenDelivery) {\n    login(input: { email: $email, password: $password }, refreshTokenIn: $refreshTokenIn) {\n      accessToken\n      refreshToken\n      expiresIn\n      user {\n        id\n        firstName\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Refresh($refreshToken: String) {\n    refresh(refreshToken: $refreshToken) {\n      accessToken\n      refreshToken\n      expiresIn\n    }\n  }\n"): (typeof documents)["\n  mutation Refresh($refreshToken: String) {\n    refresh(refreshToken: $refreshToken) {\n      accessToken\n      refreshToken\n      expiresIn\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignOut($refreshToken: String) {\n    logout(refreshToken: $refreshToken)\n  }\n"): (typeof documents)["\n  mutation SignOut($refreshToken: String) {\n    logout(refreshToken: $refreshToken)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StorefrontPage($first: Int, $search: String) {\n    me {\n      id\n      firstName\n    }\n    products(first: $first, filter: { search: $search }) {\n      totalCount\n      edges {\n        node {\n          id\n          title\n          slug\n          price {\n            amount\n            currency\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query StorefrontPage($first: Int, $search: String) {\n    me {\n      id\n      firstName\n    }\n    products(first: $first, filter: { search: $search }) {\n      totalCount\n      edges {\n        node {\n          id\n          title\n          slug\n          price {\n            amount\n            currency\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;