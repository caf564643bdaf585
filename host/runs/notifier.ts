/** How a run tells the client that started it what happens (its output, its stages, a new history version). */
export interface Notifier {
  notify(method: string, params: unknown): void;
}
