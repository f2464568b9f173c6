/**
 * `keycard/client`: a client for Keycard that runs in browsers and Node alike. It uses `fetch` only and imports
 * nothing from Node (`tsconfig.client.json` compiles it with no Node types, and ESLint refuses `node:` imports).
 */
export { createKeycardClient, type KeycardClient, type KeycardClientOptions } from './keycard-client.js';
export { KeycardClientError, type KeycardErrorCode } from './keycard-client-error.js';
export { describeError } from './describe-error.js';
export { memoryTokenStore, type TokenStore } from './token-store.js';
export { type CrossTab, type CrossTabMessage, detectCrossTab, noCrossTab } from './cross-tab.js';
export type {
  Caller,
  Credentials,
  KeycardDevice,
  KeycardSession,
  KeycardTokens,
  KeycardUser,
  SignedIn,
} from './api-types.js';
