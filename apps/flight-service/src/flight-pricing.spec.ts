import { flightPrice } from './flight-pricing';

describe('flightPrice', () => {
  it('charges the seat price once per seat', () => {
    expect(flightPrice(250, 1)).toBe(250);
    expect(flightPrice(180, 3)).toBe(540);
  });
});
