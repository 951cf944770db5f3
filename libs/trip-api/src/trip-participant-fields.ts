import { Type } from 'class-transformer';
import { IsDefined, IsObject, IsOptional, ValidateNested } from 'class-validator';
import {
  TRIP_PART_DTOS,
  TRIP_PARTICIPANTS,
  TRIP_PARTS,
  TripPart,
  TripParticipant,
  TripParts,
} from './trip-participants';

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

/** A class with no fields of its own, typed as the parts, for a DTO that gets them from `TripPartsBefore`. */
export const TripPartsFields = class {} as new () => TripParts;

/**
 * What checks a part wherever a booking carries it: there when required (`TRIP_PART_DTOS`),
 * else optional; an object; valid as its part's DTO class.
 */
export function tripPartValidators(part: TripPart): PropertyDecorator[] {
  const { dto, required } = TRIP_PART_DTOS[part];
  return [
    required ? IsDefined() : IsOptional(),
    IsObject(),
    ValidateNested(),
    Type(() => dto),
    Reflect.metadata('design:type', dto),
  ];
}

/**
 * Gives the class one property per part, in saga order, each with the decorators
 * `decorators(part)` lists (as `participantFieldsDto` takes them). Put it lowest above the
 * property the parts come before: applied first, it declares them there, so that the class's
 * validation errors and OpenAPI schema list its properties as if the parts were written by hand.
 */
export function TripPartsBefore(
  decorators: (part: TripPart) => PropertyDecorator[],
): PropertyDecorator {
  return (target) => {
    for (const part of TRIP_PARTS) {
      for (const decorate of decorators(part).reverse()) decorate(target, part);
    }
  };
}
