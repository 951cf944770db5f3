import { tripViolations as checkTripInvariants } from '../../scripts/support/trip-invariants';
import { TripSystem } from './trip-system';

/**
 * The contract's invariants on the system's databases, over every booking it holds, once
 * every booking has ended. The check itself is the comparison's (scripts/compare), so the
 * tests and `npm run compare` judge consistency the same way.
 */
export function tripViolations(system: TripSystem): Promise<string[]> {
  return checkTripInvariants(system.databaseUrls());
}

export async function assertTripInvariants(system: TripSystem): Promise<void> {
  const violations = await tripViolations(system);
  if (violations.length > 0) throw new Error(`invariants violated:\n${violations.join('\n')}`);
}
