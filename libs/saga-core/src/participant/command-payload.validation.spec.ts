import { IsIn, IsInt, IsOptional, IsString, Min } from 'class-validator';
import { TerminalStepError } from '../errors/terminal-step.error';
import { INVALID_PAYLOAD, validatePayload } from './command-payload.validation';

class ReserveThing {
  @IsString()
  bookingId!: string;

  @IsInt()
  @Min(1)
  count!: number;

  @IsOptional()
  @IsIn(['fail'])
  fault?: string;
}

function refusalOf(payload: unknown): TerminalStepError {
  try {
    validatePayload(ReserveThing, payload);
  } catch (error) {
    if (error instanceof TerminalStepError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('validatePayload', () => {
  it('returns the payload as an instance of the DTO', () => {
    const dto = validatePayload(ReserveThing, { bookingId: 'b-1', count: 2 });
    expect(dto).toBeInstanceOf(ReserveThing);
    expect(dto).toEqual({ bookingId: 'b-1', count: 2 });
  });

  it.each([null, undefined, 'b-1', [1]])('refuses %p: not an object', (payload) => {
    expect(refusalOf(payload)).toMatchObject({ code: INVALID_PAYLOAD });
  });

  it('refuses a payload naming every broken field', () => {
    const refusal = refusalOf({ bookingId: 7, count: 0, fault: 'explode' });
    expect(refusal.code).toBe(INVALID_PAYLOAD);
    expect(refusal.message).toMatch(
      /ReserveThing: bookingId must be a string; count must not be less than 1; fault must be one of/,
    );
  });
});
