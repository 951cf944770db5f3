export * from './trip-fault';
export * from './flight.endpoints';
export * from './hotel.endpoints';
export * from './payment.endpoints';
