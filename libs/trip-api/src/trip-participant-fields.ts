import { TRIP_PARTICIPANTS, TripParticipant } from './trip-participants';

export type ParticipantFieldsDto<T> = new () => Partial<Record<TripParticipant, T>>;

/**
 * A DTO class named `name` with one property per participant, in saga order, each with the
 * decorators `decorators(participant)` lists, written as they would stand above a property
 * (the last one is applied first, as TypeScript does), so that its validation errors and its
 * OpenAPI schema are those of the same class written by hand.
 */
export function participantFieldsDto<T>(
  name: string,
  decorators: (participant: TripParticipant) => PropertyDecorator[],
): ParticipantFieldsDto<T> {
  const dto = { [name]: class {} }[name];
  for (const participant of TRIP_PARTICIPANTS) {
    for (const decorate of decorators(participant).reverse()) decorate(dto.prototype, participant);
  }
  return dto;
}
