import { BadRequestException } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { IsSafeText, toSafeText, unsafeTextReason } from './safe-text';
import { SafeTextPipe } from './safe-text.pipe';

class Named {
  @IsSafeText()
  name!: unknown;
}

describe('safe text', () => {
  it.each([
    ['a NUL', 'a\u0000b', /control characters/],
    ['a bell', '\u0007', /control characters/],
    ['DEL', 'a\u007f', /control characters/],
    ['a lone high surrogate', 'x\ud800', /unpaired/],
    ['a lone low surrogate', '\udc00x', /unpaired/],
    ['two high surrogates', '\ud800\ud800\udc00', /unpaired/],
  ])('refuses %s', (_what, value, reason) => {
    expect(unsafeTextReason(value)).toMatch(reason);
  });

  it.each([
    ['plain text', 'cust-1'],
    ['tabs and line breaks', 'a\tb\nc\r\n'],
    ['letters beyond ASCII', 'Zoë, 東京'],
    ['a pair of surrogates (an emoji)', 'trip 🧳'],
    ['nothing', ''],
  ])('takes %s', (_what, value) => {
    expect(unsafeTextReason(value)).toBeNull();
  });

  it('makes text safe to store, and cuts it', () => {
    expect(toSafeText('a\u0000b\ud800c')).toBe('a\uFFFDb\uFFFDc');
    expect(toSafeText('abcdef', 4)).toBe('abc…');
  });

  it('validates a property with class-validator, naming it', () => {
    const errors = validateSync(plainToInstance(Named, { name: 'a\u0000' }));
    expect(errors[0].constraints).toEqual({
      isSafeText: 'name must not contain control characters (such as NUL)',
    });
    expect(validateSync(plainToInstance(Named, { name: 'ok' }))).toEqual([]);
    // Not a string: for the type's own validator to say so.
    expect(validateSync(plainToInstance(Named, { name: 3 }))).toEqual([]);
  });

  it('checks a parameter or a header, and its length, with a 400', () => {
    const pipe = new SafeTextPipe({ name: 'Idempotency-Key', maxLength: 3 });
    expect(pipe.transform(undefined)).toBeUndefined();
    expect(pipe.transform('abc')).toBe('abc');
    const refusal = (value: string) => {
      try {
        pipe.transform(value);
      } catch (error) {
        return error as BadRequestException;
      }
      throw new Error(`${value} passed`);
    };
    expect(refusal('abcd').getResponse()).toMatchObject({
      statusCode: 400,
      message: ['Idempotency-Key must be at most 3 characters'],
    });
    expect(() => pipe.transform('a\u0000')).toThrow(expect.objectContaining({ status: 400 }));
  });
});
