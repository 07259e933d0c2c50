import type { ApolloServerPlugin } from '@apollo/server';

/**
 * Refuses to send an answer larger than `maxBytes` (serialized JSON): the client gets one coded
 * error instead of a body it would choke on. The cost limit (cost.ts) keeps most such operations
 * from running at all; this bounds what slips through (long texts, many-valued fields).
 */
export function limitResponseSize(maxBytes: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const bytes = Buffer.byteLength(JSON.stringify(response.body.singleResult));
          if (bytes <= maxBytes) return;
          response.http.status = 400;
          response.body.singleResult = {
            errors: [
              {
                message:
                  `The answer would be ${bytes.toLocaleString('en-US')} bytes; the limit (MAX_RESPONSE_BYTES) is ` +
                  `${maxBytes.toLocaleString('en-US')}. Ask for smaller pages or fewer fields.`,
                extensions: { code: 'OPERATION_TOO_COMPLEX', limit: 'MAX_RESPONSE_BYTES', max: maxBytes, actual: bytes },
              },
            ],
          };
        },
      };
    },
  };
}
