import { Column, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryColumn, Unique } from 'typeorm';

export type OrderStatusValue = 'CREATED' | 'CANCELLED';

/**
 * A row of `orders`. The schema comes from database/migrations; this class
 * states the same schema for TypeORM (columns, keys, indexes), and the
 * migrations test proves the two agree (see schemaDrift for what it compares).
 */
@Entity({ name: 'orders' })
@Unique('orders_user_id_idempotency_key_key', ['userId', 'idempotencyKey'])
@Index('orders_user_id_id_idx', ['userId', 'id'])
export class OrderEntity {
  /** UUIDv7 assigned by the service: ids sort by creation time, which keyset paging relies on. */
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'user_id' })
  userId!: string;

  @Column('text', { name: 'idempotency_key' })
  idempotencyKey!: string;

  /** Hash of the items the key was first used with: a reuse with different items is refused. */
  @Column('text', { name: 'request_hash' })
  requestHash!: string;

  @Column('text')
  status!: OrderStatusValue;

  /** int64 as a decimal string, as pg returns bigint: exact beyond 2^53. */
  @Column('bigint', { name: 'total_cents' })
  totalCents!: string;

  @Column('timestamptz', { name: 'create_time', default: () => 'now()' })
  createTime!: Date;

  @Column('timestamptz', { name: 'update_time', default: () => 'now()' })
  updateTime!: Date;

  @OneToMany(() => OrderItemEntity, (item) => item.order)
  items!: OrderItemEntity[];
}

/** A row of `order_items`: one line of an order, in the order the client gave. */
@Entity({ name: 'order_items' })
export class OrderItemEntity {
  @PrimaryColumn('uuid', { name: 'order_id' })
  orderId!: string;

  @PrimaryColumn('smallint')
  position!: number;

  @Column('text')
  sku!: string;

  @Column('integer')
  quantity!: number;

  @Column('bigint', { name: 'unit_price_cents' })
  unitPriceCents!: string;

  @ManyToOne(() => OrderEntity, (order) => order.items, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'order_items_order_id_fkey' })
  order!: OrderEntity;
}
