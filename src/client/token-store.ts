import type { KeycardTokens } from './api-types.js';

/**
 * Where a Bearer-mode client keeps its tokens. The default keeps them in memory (gone with the page); an app
 * may keep them elsewhere, knowing that anything a script can read, an XSS can read too (cookie mode avoids
 * that).
 */
export interface TokenStore {
  load(): KeycardTokens | undefined;
  save(tokens: KeycardTokens | undefined): void;
}

export function memoryTokenStore(): TokenStore {
  let tokens: KeycardTokens | undefined;
  return {
    load: () => tokens,
    save: (next) => {
      tokens = next;
    },
  };
}
