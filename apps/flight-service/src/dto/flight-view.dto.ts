import { ApiProperty } from '@nestjs/swagger';
import { FlightView } from '../flight-catalogue.controller';

export class FlightViewDto implements Readonly<FlightView> {
  @ApiProperty({ example: 'FL-100' })
  flightId!: string;

  @ApiProperty({ example: 100000 })
  seatsTotal!: number;

  @ApiProperty({ example: 99998 })
  seatsAvailable!: number;

  @ApiProperty({ description: 'Price of a seat', example: 250 })
  price!: number;
}
