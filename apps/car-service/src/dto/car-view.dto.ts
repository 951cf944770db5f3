import { ApiProperty } from '@nestjs/swagger';
import { CarView } from '../car-fleet.controller';

export class CarViewDto implements Readonly<CarView> {
  @ApiProperty({ example: 'COMPACT' })
  carClass!: string;

  @ApiProperty({ example: 15 })
  carsTotal!: number;

  @ApiProperty({ example: 14 })
  carsAvailable!: number;

  @ApiProperty({ example: 45 })
  pricePerDay!: number;
}
