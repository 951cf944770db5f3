import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from './bigint-as-number.transformer';

/** A customer's account; `initialBalance − balance` is what the customer has been charged. */
@Entity({ name: 'accounts' })
export class Account {
  @PrimaryColumn({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  balance!: number;

  @Column({ name: 'initial_balance', type: 'bigint', transformer: bigintAsNumber })
  initialBalance!: number;
}
