import { hotelPrice } from './hotel-pricing';

describe('hotelPrice', () => {
  it('charges the nightly price for every room and every night', () => {
    expect(hotelPrice(120, 1, 1)).toBe(120);
    expect(hotelPrice(120, 1, 2)).toBe(240);
    expect(hotelPrice(90, 2, 3)).toBe(540);
  });
});
