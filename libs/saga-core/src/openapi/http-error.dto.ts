import { ApiProperty } from '@nestjs/swagger';

/** Nest's usual error body, as every error response of every app has it. */
export class HttpErrorDto {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({
    description: 'What went wrong; for a 400, the list of every problem with the request',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: ['flight.seats must not be less than 1'],
  })
  message!: string | string[];

  @ApiProperty({ example: 'Bad Request' })
  error!: string;
}
