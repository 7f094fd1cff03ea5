/** kafkajs' internal request queue: patched by src/kafka.ts (see there why). */
declare module "kafkajs/src/network/requestQueue/index.js" {
  interface SocketRequest {
    sentAt: number;
    requestTimeout: number;
    timeoutRequest(): void;
  }
  export default class RequestQueue {
    constructor(options: {
      requestTimeout: number;
      enforceRequestTimeout: boolean;
      clientId: string;
      broker: string;
      logger: unknown;
      isConnected?: () => boolean;
    });
    pending: unknown[];
    inflight: Map<number, SocketRequest>;
    requestTimeout: number;
    enforceRequestTimeout: boolean;
    requestTimeoutIntervalId: ReturnType<typeof setInterval> | null;
    throttledUntil: number;
    throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
    isConnected(): boolean;
    destroy(): void;
    push(request: unknown): void;
    fulfillRequest(response: { correlationId: number; payload: unknown; size: number }): void;
    checkPendingRequests(): void;
    scheduleCheckPendingRequests(): void;
    scheduleRequestTimeoutCheck(): void;
  }
}
