/**
 * What tabs of one browser tell each other: a refresh happened (so a tab that queued behind it need not refresh
 * again) and the session ended (so every tab shows the sign-in form at once).
 */
export type CrossTabMessage =
  { readonly type: 'refreshed'; readonly at: number } | { readonly type: 'signed_out' };

/** Coordination between tabs; `detectCrossTab` builds one from Web Locks and BroadcastChannel where present. */
export interface CrossTab {
  /** Runs `task` while no other tab runs a task under `name` (directly where there are no Web Locks). */
  exclusive<T>(name: string, task: () => Promise<T>): Promise<T>;
  post(message: CrossTabMessage): void;
  onMessage(listener: (message: CrossTabMessage) => void): void;
  close(): void;
}

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  close(): void;
  unref?: () => void;
}

type ChannelConstructor = new (name: string) => ChannelLike;

/**
 * Web Locks (`navigator.locks`) serialise refreshes across tabs; a BroadcastChannel carries the messages. Either
 * may be missing (older browsers, Node): then the client does without it, and the server's refresh grace
 * period still gives two tabs that refresh at once the same new pair.
 */
export function detectCrossTab(channelName: string): CrossTab {
  const scope = globalThis as unknown as {
    navigator?: { locks?: LockManagerLike };
    BroadcastChannel?: ChannelConstructor;
  };
  const locks = scope.navigator?.locks;
  const Channel = scope.BroadcastChannel;
  const channel = Channel === undefined ? undefined : new Channel(channelName);
  // Node keeps a process alive while a channel is open; a browser tab has no such notion.
  channel?.unref?.();
  return {
    exclusive: (name, task) => (locks === undefined ? task() : locks.request(name, task)),
    post: (message) => channel?.postMessage(message),
    onMessage: (listener) =>
      channel?.addEventListener('message', (event) => {
        if (isCrossTabMessage(event.data)) listener(event.data);
      }),
    close: () => channel?.close(),
  };
}

function isCrossTabMessage(data: unknown): data is CrossTabMessage {
  if (typeof data !== 'object' || data === null) return false;
  const { type, at } = data as { type?: unknown; at?: unknown };
  return type === 'signed_out' || (type === 'refreshed' && typeof at === 'number');
}

/** No coordination: one tab, or a Node process. */
export const noCrossTab: CrossTab = {
  exclusive: (_name, task) => task(),
  post: () => undefined,
  onMessage: () => undefined,
  close: () => undefined,
};
