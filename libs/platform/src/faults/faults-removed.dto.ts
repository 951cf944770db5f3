import { ApiProperty } from '@nestjs/swagger';

/** How many fault rules a `DELETE /faults…` removed. */
export class FaultsRemovedDto {
  @ApiProperty({ example: 1 })
  removed!: number;
}
