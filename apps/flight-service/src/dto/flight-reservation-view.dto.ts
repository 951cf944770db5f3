import { ApiProperty } from '@nestjs/swagger';
import { FlightReservationView } from '../flight-catalogue.controller';
import { FlightReservationStatus } from '../flight-reservation.entity';

export class FlightReservationViewDto implements Readonly<FlightReservationView> {
  @ApiProperty({ format: 'uuid' })
  bookingId!: string;

  @ApiProperty({ example: 'FL-100' })
  flightId!: string;

  @ApiProperty({ example: 1 })
  seats!: number;

  @ApiProperty({ description: 'seats × the price of a seat when reserved', example: 250 })
  price!: number;

  @ApiProperty({ enum: Object.values(FlightReservationStatus), example: 'RESERVED' })
  status!: FlightReservationStatus;
}
