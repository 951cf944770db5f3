import { ApiProperty } from '@nestjs/swagger';
import { CarRentalView } from '../car-fleet.controller';
import { CarRentalStatus } from '../car-rental.entity';

export class CarRentalViewDto implements Readonly<CarRentalView> {
  @ApiProperty({ format: 'uuid' })
  bookingId!: string;

  @ApiProperty({ example: 'COMPACT' })
  carClass!: string;

  @ApiProperty({ example: 3 })
  days!: number;

  @ApiProperty({ enum: Object.values(CarRentalStatus), example: 'RESERVED' })
  status!: CarRentalStatus;
}
