import { ValueTransformer } from 'typeorm';

/** node-postgres reads bigint as a string; every amount here stays far below 2^53. */
export const bigintAsNumber: ValueTransformer = {
  to: (value: number) => value,
  from: (value: string) => Number(value),
};
