import { plainToInstance } from 'class-transformer';
import { IsString, validateSync } from 'class-validator';
import { HotelRequestDto } from './hotel-request.dto';
import { TripPartsBefore, TripPartsFields, tripPartValidators } from './trip-participant-fields';
import { TRIP_PART_DTOS } from './trip-participants';

/** A DTO declared as `CreateBookingDto` and `TripBookingDto` are: the parts between two fields. */
function partsDto() {
  class PartsDto extends TripPartsFields {
    @IsString()
    before!: string;

    @IsString()
    @TripPartsBefore(tripPartValidators)
    after!: string;
  }
  return PartsDto;
}

const errorsOf = (dto: new () => object, plain: object) =>
  validateSync(plainToInstance(dto, plain)).map((error) => error.property);

describe('TripPartsBefore', () => {
  it('declares every part where it stands, in saga order, each checked by its class', () => {
    const dto = partsDto();
    expect(errorsOf(dto, {})).toEqual(['before', 'flight', 'hotel', 'after']);
    const nested = validateSync(
      plainToInstance(dto, { before: 'b', after: 'a', flight: {}, hotel: {} }),
    );
    expect(nested.map((error) => error.property)).toEqual(['flight', 'hotel']);
    expect(nested[1].children?.map((child) => child.property)).toEqual([
      'hotelId',
      'nights',
      'rooms',
    ]);
  });

  it('lets an optional part be left out, and still checks it when it is there', () => {
    const optional = { dto: HotelRequestDto, required: false } as const;
    const hotel = optional as unknown as typeof TRIP_PART_DTOS.hotel;
    const replaced = jest.replaceProperty(TRIP_PART_DTOS, 'hotel', hotel);
    const dto = partsDto();
    replaced.restore();
    const flight = { flightId: 'FL-100', seats: 1 };
    expect(errorsOf(dto, { before: 'b', after: 'a', flight })).toEqual([]);
    expect(errorsOf(dto, { before: 'b', after: 'a', flight, hotel: { hotelId: '' } })).toEqual([
      'hotel',
    ]);
  });
});
