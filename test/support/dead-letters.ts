export { readDeadLetters } from '../../scripts/support/dead-letters';
export type { DeadLetter } from '../../scripts/support/dead-letters';
