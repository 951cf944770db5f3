export * from './trip-fault';
export * from './flight.endpoints';
export * from './hotel.endpoints';
export * from './payment.endpoints';
export * from './trip-refused.error';
export * from './trip-step.runner';
export * from './trip-command.dto';
