import { ApiProperty } from '@nestjs/swagger';
import { HotelReservationView } from '../hotel-catalogue.controller';
import { HotelReservationStatus } from '../hotel-reservation.entity';

export class HotelReservationViewDto implements Readonly<HotelReservationView> {
  @ApiProperty({ format: 'uuid' })
  bookingId!: string;

  @ApiProperty({ example: 'HT-200' })
  hotelId!: string;

  @ApiProperty({ example: 1 })
  rooms!: number;

  @ApiProperty({ example: 2 })
  nights!: number;

  @ApiProperty({ description: 'nights × rooms × the nightly price when reserved', example: 240 })
  price!: number;

  @ApiProperty({ enum: Object.values(HotelReservationStatus), example: 'RESERVED' })
  status!: HotelReservationStatus;
}
