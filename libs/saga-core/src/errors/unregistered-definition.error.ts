import { DefinitionError } from './definition.error';

/**
 * A saga is pinned to a definition version that this process does not register: an instance
 * that does (an older or newer deploy) can run it, this one cannot.
 */
export class UnregisteredDefinitionError extends DefinitionError {
  override readonly code: string = 'UNREGISTERED_DEFINITION';
}

/** By code, so that an error from another copy of this library matches too. */
export function isUnregisteredDefinition(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'UNREGISTERED_DEFINITION';
}
