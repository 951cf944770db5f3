import { ApiProperty } from '@nestjs/swagger';
import { HotelView } from '../hotel-catalogue.controller';

export class HotelViewDto implements Readonly<HotelView> {
  @ApiProperty({ example: 'HT-200' })
  hotelId!: string;

  @ApiProperty({ example: 100000 })
  roomsTotal!: number;

  @ApiProperty({ example: 99999 })
  roomsAvailable!: number;

  @ApiProperty({ example: 120 })
  pricePerNight!: number;
}
