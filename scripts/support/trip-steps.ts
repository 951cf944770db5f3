import { choreographyTopology } from '@app/saga-core';
import {
  TRIP_PARTICIPANT_PROFILES,
  TripParticipant,
  tripBookingChoreography,
  tripBookingSaga,
} from '@app/trip-api';

/**
 * The trip's steps as the tools read them: from the trip booking saga's definition and the
 * choreography derived from it, never from a copy. A step is named after its participant.
 */
export interface TripStep {
  name: TripParticipant;
  /** The saga's command for the step, and for its undo (none for a step never undone). */
  command: string;
  compensation: string | null;
  /** The events that set its participant to undo in the choreography, but its own request. */
  undoneOn: string[];
  /** Its undo request event (the tracker's, when the chain stalls on it). */
  undoRequested: string;
  commandQueue: string;
  eventQueue: string;
}

export function tripSteps(): TripStep[] {
  const saga = tripBookingSaga().spec;
  const choreography = tripBookingChoreography().spec;
  const topology = choreographyTopology(choreography);
  return saga.steps.map((step, i) => {
    const name = step.name as TripParticipant;
    const profile = TRIP_PARTICIPANT_PROFILES[name];
    if (!profile) throw new Error(`saga step ${step.name} has no participant profile`);
    const undoRequested = choreography.steps[i].compensationRequested.type;
    return {
      name,
      command: step.command.type,
      compensation: step.compensation?.type ?? null,
      undoneOn: topology[i].undo.map((e) => e.type).filter((type) => type !== undoRequested),
      undoRequested,
      commandQueue: profile.commandQueue,
      eventQueue: profile.eventQueue,
    };
  });
}
