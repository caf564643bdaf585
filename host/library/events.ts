import { CodeBeakerError } from "./errors";

/** A listener of one event, given what the event carries. */
export type Listener<T> = (payload: T) => void;

/**
 * Listeners by event name, typed by an event map. A listener that throws does not break the run it listens to:
 * its error is kept, and the call that caused the event rejects with it once the run has ended.
 */
export class Listeners<Events> {
  private readonly byEvent = new Map<keyof Events, Set<Listener<never>>>();
  private failure: unknown;

  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): void {
    let listeners = this.byEvent.get(event);
    if (!listeners) this.byEvent.set(event, (listeners = new Set()));
    listeners.add(listener as Listener<never>);
  }

  off<E extends keyof Events>(event: E, listener: Listener<Events[E]>): void {
    this.byEvent.get(event)?.delete(listener as Listener<never>);
  }

  emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    for (const listener of this.byEvent.get(event) ?? []) {
      try {
        (listener as Listener<Events[E]>)(payload);
      } catch (error) {
        this.failure ??= error;
      }
    }
  }

  /** Throws the first error a listener threw since the last call, if one did, as the cause of a CodeBeakerError. */
  rethrow(): void {
    const failure = this.failure;
    this.failure = undefined;
    if (failure === undefined) return;
    const message = failure instanceof Error ? failure.message : String(failure);
    throw new CodeBeakerError("LISTENER_FAILED", `a listener threw: ${message}`, { cause: failure });
  }
}
