import { AppProcess } from './app-process';

/**
 * Where participant-side fault rules plug into the run, beside the per-booking `faults`: an
 * injector gets the running participants before the first booking is sent, and may install
 * rules on them (for example over a `POST /faults` endpoint); it returns how many it installed,
 * which count as injected faults. `clear` runs before the final checks, so that nothing keeps
 * failing while the run waits for the bookings to end.
 */
export interface RuntimeFaultInjector {
  install(participants: readonly AppProcess[], seed: number): Promise<number>;
  clear(participants: readonly AppProcess[]): Promise<void>;
}

/** The default: per-booking faults only. */
export const NO_RUNTIME_FAULTS: RuntimeFaultInjector = {
  install: () => Promise.resolve(0),
  clear: () => Promise.resolve(),
};
